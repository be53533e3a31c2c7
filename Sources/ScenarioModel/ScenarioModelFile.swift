import CLIP
import Imaging
import Foundation
import Numerics
import Weights

/// Our single-file model format: one safetensors file whose `__metadata__` describes the model, so it loads
/// without any other file (the bundled `Assets/model/scenarioclip-demo.safetensors` uses it).
///
/// Tensors: the model's weights under the reference's names without Lightning's `model.` prefix, i.e. exactly
/// the keys `ThreeLevelCLIP().state_dict()` / `OneLevelCLIP().state_dict()` has
/// (`global_visual_encoder.vision_model.embeddings.class_embedding`, `object_text_norm.weight`, …), or a
/// Hugging Face `CLIPModel`'s own keys for `hf_clip`. Stored as `F32` (default) or `F16`/`BF16`.
///
/// Metadata (all values are strings, as safetensors requires):
/// | key | value |
/// |---|---|
/// | `format` | `scenarioclip-model` |
/// | `format_version` | `1` |
/// | `architecture` | `three_level`, `one_level` or `hf_clip` |
/// | `vision_config` | JSON, Hugging Face `CLIPVisionConfig` fields: `hidden_size`, `intermediate_size`, `num_hidden_layers`, `num_attention_heads`, `num_channels`, `image_size`, `patch_size`, `hidden_act`, `layer_norm_eps` |
/// | `text_config` | JSON, `CLIPTextConfig` fields: `vocab_size`, `hidden_size`, `intermediate_size`, `num_hidden_layers`, `num_attention_heads`, `max_position_embeddings`, `hidden_act`, `layer_norm_eps`, `eos_token_id` |
/// | `preprocess` | JSON `{"image_size": 224, "mean": [3 floats], "std": [3 floats]}`, plus `"fit": "stretch"` for a model that sees the whole picture squeezed to a square instead of CLIP's centre crop |
/// | `projection_dim` | `hf_clip` only: width of `visual_projection` / `text_projection` |
/// | `source` | informational: the file it was converted from |
/// | `fingerprint` | informational: ``ModelFingerprint`` at export (recomputed on load, never trusted) |
public enum ScenarioModelFile {
    /// Value of the `format` metadata key.
    public static let formatName = "scenarioclip-model"

    /// Writes `checkpoint`'s model tensors and description to `url`: what `convert` and `train` write.
    /// - Parameters:
    ///   - dtype: `.float32` keeps values (and the fingerprint); `.float16` halves the size.
    ///   - source: the informational `source` value (default: the checkpoint's file name).
    public static func write(
        _ checkpoint: ScenarioCheckpoint, to url: URL, dtype: StoredDType = .float32, source: String? = nil
    ) throws {
        var metadata: [String: String] = [
            "format": formatName, "format_version": "1", "architecture": checkpoint.architecture.rawValue,
            "vision_config": TowerConfigDescription.json(checkpoint.visionConfig),
            "text_config": TowerConfigDescription.json(checkpoint.textConfig),
            "preprocess": preprocessJSON(checkpoint.preprocess),
            "source": source ?? checkpoint.url.lastPathComponent,
        ]
        if dtype == .float32 { metadata["fingerprint"] = try checkpoint.fingerprint() }
        if let clip = checkpoint.clipConfig { metadata["projection_dim"] = String(clip.projectionDim) }
        var writer = SafeTensorsWriter(metadata: metadata)
        for name in checkpoint.modelTensorNames {
            try writer.add(name, try checkpoint.archive.tensor(name), as: dtype)
        }
        try writer.write(to: url)
    }

    /// Writes the model tensors as a PyTorch state dict in the reference layout: the reference module loads it
    /// with `model.load_state_dict(torch.load(path, weights_only=True), strict=True)`.
    public static func writeStateDict(_ checkpoint: ScenarioCheckpoint, to url: URL, dtype: StoredDType = .float32) throws {
        let names = checkpoint.modelTensorNames
        let entries = try names.map { name -> TorchStateDictWriter.Entry in
            guard let info = checkpoint.archive.info(name) else {
                throw WeightsError.missingTensor(name: name, source: checkpoint.archive.sourceDescription)
            }
            return TorchStateDictWriter.Entry(name: name, shape: info.shape)
        }
        try TorchStateDictWriter(dtype: dtype).write(entries: entries, to: url) { try checkpoint.archive.tensor(names[$0]) }
    }

    /// The `preprocess` metadata value for `p` (`fit` only when it is not CLIP's centre crop).
    public static func preprocessJSON(_ p: PreprocessConfig) -> String {
        var object: [String: Any] = ["image_size": p.imageSize, "mean": p.mean.map(Double.init), "std": p.std.map(Double.init)]
        // Written only when it is not CLIP's centre crop, so files of centre-crop models stay as they were.
        if p.fit != .centerCrop { object["fit"] = p.fit.rawValue }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])  // plain values
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a `preprocess` metadata value; `source` names the file in errors.
    /// - Throws: ``ScenarioModelError/invalidConfig(source:reason:)`` for a malformed value or an unknown `fit`.
    public static func preprocess(_ json: String, source: String) throws -> PreprocessConfig {
        struct Stored: Decodable {
            var image_size: Int
            var mean: [Float]
            var std: [Float]
            var fit: String?
        }
        guard let s = try? JSONDecoder().decode(Stored.self, from: Data(json.utf8)), s.mean.count == 3, s.std.count == 3
        else {
            throw ScenarioModelError.invalidConfig(source: source, reason: "metadata 'preprocess' is not {image_size, mean[3], std[3]}: \(json)")
        }
        guard (1...CLIPConfig.maxImageSize).contains(s.image_size) else {
            throw ScenarioModelError.invalidConfig(
                source: source, reason: "metadata 'preprocess' field 'image_size' is \(s.image_size); expected 1...\(CLIPConfig.maxImageSize)")
        }
        var fit = ImageFit.centerCrop
        if let name = s.fit {
            guard let known = ImageFit(rawValue: name) else {
                let names = ImageFit.allCases.map(\.rawValue).joined(separator: ", ")
                throw ScenarioModelError.invalidConfig(source: source, reason: "metadata 'preprocess' field 'fit' is '\(name)'; expected one of \(names)")
            }
            fit = known
        }
        return PreprocessConfig(imageSize: s.image_size, mean: s.mean, std: s.std, fit: fit)
    }
}
