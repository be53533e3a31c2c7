import CLIP
import Foundation
import Imaging
import Numerics
import Weights
import ScenarioModel

/// Writes a trained model in the project's single-file model format, through ScenarioModel's own writer
/// (``ScenarioModel/ScenarioModelFile``, what `convert` writes too): the reference's state-dict keys, checked
/// against the reference layout, and the towers' CLIP configs in the metadata.
public enum ModelExporter {
    /// Exports `model` to `url` (``ScenarioModel/ScenarioModelFile``: `format` = `scenarioclip-model`,
    /// `architecture`, `vision_config`, `text_config` and `preprocess` JSON in the metadata), in `float16` when
    /// `half` is set. `fit` is how the training pictures became square inputs; the model's users must do the same.
    /// - Throws: ``ScenarioModel/ScenarioModelError`` when the parameters do not make the reference layout,
    ///   ``Weights/WeightsError`` when the file cannot be written.
    public static func export(_ model: TrainableModel, source: String, to url: URL, half: Bool,
                              fit: ImageFit = .centerCrop) throws {
        let c = model.config
        var text = c.text
        text.eosTokenID = 2  // training's text towers pool at the largest token id
        let preprocess = PreprocessConfig(imageSize: c.vision.imageSize, mean: Augmenter.mean, std: Augmenter.std, fit: fit)
        let tensors = model.parametersByName.mapValues { Tensor(shape: $0.shape, values: $0.value) }
        let checkpoint = try ScenarioCheckpoint(
            archive: InMemoryTensorArchive(tensors, source: source), architecture: c.threeLevel ? .threeLevel : .oneLevel,
            visionConfig: c.vision, textConfig: text, preprocess: preprocess, url: url)
        try ScenarioModelFile.write(checkpoint, to: url, dtype: half ? .float16 : .float32, source: source)
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
