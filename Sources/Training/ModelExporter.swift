import Foundation
import Imaging
import ScenarioModel

/// Writes a trained model as one safetensors file: the reference's state-dict keys (without the Lightning
/// `model.` prefix) and an `architecture` JSON in the metadata with Hugging Face vision/text configs.
public enum ModelExporter {
    /// Exports `model` to `url` in the project's single-file model format (``ScenarioModelFile`` in module
    /// ScenarioModel: `format` = `scenarioclip-model`, `architecture`, `vision_config`, `text_config` and
    /// `preprocess` JSON in the metadata), in `float16` when `half` is set. `fit` is how the training pictures
    /// became square inputs; the model's users must do the same.
    public static func export(_ model: TrainableModel, source: String, to url: URL, half: Bool,
                              fit: ImageFit = .centerCrop) throws {
        var f = TrainingTensorFile()
        for p in model.parameters { try f.set(p.name, floats: p.value, shape: p.shape, half: half) }
        let c = model.config
        func tower(_ t: TowerConfig) -> [String: Any] {
            ["hidden_size": t.hiddenSize, "intermediate_size": t.intermediateSize,
             "num_hidden_layers": t.numHiddenLayers, "num_attention_heads": t.numAttentionHeads,
             "hidden_act": t.hiddenAct.rawValue, "layer_norm_eps": Double(t.layerNormEps)]
        }
        var vision = tower(c.vision.tower)
        vision["image_size"] = c.vision.imageSize
        vision["patch_size"] = c.vision.patchSize
        vision["num_channels"] = 3
        var text = tower(c.text.tower)
        text["vocab_size"] = c.text.vocabSize
        text["max_position_embeddings"] = c.text.maxPositionEmbeddings
        text["eos_token_id"] = 2
        let preprocess = PreprocessConfig(imageSize: c.vision.imageSize, mean: Augmenter.mean, std: Augmenter.std, fit: fit)
        func json(_ d: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: d, options: [.sortedKeys]), as: UTF8.self)
        }
        f.metadata = [
            "format": "scenarioclip-model", "format_version": "1",
            "architecture": c.threeLevel ? "three_level" : "one_level",
            "vision_config": try json(vision), "text_config": try json(text), "preprocess": ScenarioModelFile.preprocessJSON(preprocess),
            "source": source,
        ]
        try f.write(to: url)
    }

    /// The model config described by an exported file's metadata (`vision_config`, `text_config`), or `nil`.
    public static func config(fromMetadata metadata: [String: String]) -> TrainableModelConfig? {
        guard metadata["format"] == "scenarioclip-model",
              let v = metadata["vision_config"].flatMap({ try? JSONSerialization.jsonObject(with: Data($0.utf8)) }) as? [String: Any],
              let t = metadata["text_config"].flatMap({ try? JSONSerialization.jsonObject(with: Data($0.utf8)) }) as? [String: Any]
        else { return nil }
        func tower(_ d: [String: Any]) -> TowerConfig? {
            guard let h = d["hidden_size"] as? Int, let i = d["intermediate_size"] as? Int,
                  let l = d["num_hidden_layers"] as? Int, let n = d["num_attention_heads"] as? Int else { return nil }
            return TowerConfig(hiddenSize: h, intermediateSize: i, numHiddenLayers: l, numAttentionHeads: n,
                               hiddenAct: TowerActivation(rawValue: d["hidden_act"] as? String ?? "quick_gelu") ?? .quickGELU,
                               layerNormEps: Float(d["layer_norm_eps"] as? Double ?? 1e-5))
        }
        guard let vt = tower(v), let tt = tower(t), let image = v["image_size"] as? Int, let patch = v["patch_size"] as? Int
        else { return nil }
        return TrainableModelConfig(
            threeLevel: metadata["architecture"] != "one_level",
            vision: VisionTowerConfig(tower: vt, imageSize: image, patchSize: patch),
            text: TextTowerConfig(tower: tt, vocabSize: t["vocab_size"] as? Int ?? 49408,
                                  maxPositionEmbeddings: t["max_position_embeddings"] as? Int ?? 77),
            embedDim: 512)
    }
}
