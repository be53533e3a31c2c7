import CLIP
import Foundation
import Imaging
import Numerics
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
        var text = c.text
        text.eosTokenID = 2  // training's text towers pool at the largest token id
        let preprocess = PreprocessConfig(imageSize: c.vision.imageSize, mean: Augmenter.mean, std: Augmenter.std, fit: fit)
        func json(_ config: some Encodable) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(config), as: UTF8.self)
        }
        f.metadata = [
            "format": "scenarioclip-model", "format_version": "1",
            "architecture": c.threeLevel ? "three_level" : "one_level",
            "vision_config": try json(c.vision), "text_config": try json(text), "preprocess": ScenarioModelFile.preprocessJSON(preprocess),
            "source": source,
        ]
        try f.write(to: url)
    }

    /// The model config described by an exported file's metadata (`vision_config`, `text_config`, read as CLIP's
    /// configs), or `nil`.
    public static func config(fromMetadata metadata: [String: String]) -> TrainableModelConfig? {
        guard metadata["format"] == "scenarioclip-model",
              let v = metadata["vision_config"], let t = metadata["text_config"],
              let vision = try? JSONDecoder().decode(CLIPVisionConfig.self, from: Data(v.utf8)),
              let text = try? JSONDecoder().decode(CLIPTextConfig.self, from: Data(t.utf8)),
              (try? vision.validated(source: "")) != nil, (try? text.validated(source: "")) != nil
        else { return nil }
        return TrainableModelConfig(threeLevel: metadata["architecture"] != "one_level", vision: vision, text: text,
                                    embedDim: 512)
    }
}
