import Foundation
import Numerics
import Weights

/// Hugging Face `CLIPModel` — both towers and `visual_projection` / `text_projection` — or a single tower loaded
/// from a `CLIPVisionModel` / `CLIPTextModel` folder.
public struct CLIPModel: Sendable {
    public let config: CLIPConfig
    /// The vision tower, when the model has one.
    public private(set) var vision: CLIPVisionTransformer?
    /// The text tower, when the model has one.
    public private(set) var text: CLIPTextTransformer?
    /// `visual_projection`, `[projection, vision hidden]`, no bias (absent for a bare tower).
    public private(set) var visualProjection: Linear?
    /// `text_projection`, `[projection, text hidden]`, no bias (absent for a bare tower).
    public private(set) var textProjection: Linear?

    /// The same model with every transformer and projection weight matrix stored in `precision`
    /// (``Linear/converted(to:)``). ``Linear/Precision/float16`` halves the weight memory and the bytes each
    /// product streams; it is an explicit option — its results differ from float32 by ~1e-3 relative, so the
    /// default float32 model is the one equal to Hugging Face.
    public func converted(to precision: Linear.Precision) -> CLIPModel {
        var copy = self
        copy.vision = vision?.converted(to: precision)
        copy.text = text?.converted(to: precision)
        copy.visualProjection = visualProjection?.converted(to: precision)
        copy.textProjection = textProjection?.converted(to: precision)
        return copy
    }

    /// Loads a Hugging Face folder: `config.json` plus `model.safetensors` (or its sharded index).
    /// - Throws: `WeightsError` for unreadable files or missing, misshapen or extra tensors (named);
    ///   ``CLIPError`` for a bad `config.json`.
    public init(folder: URL) throws {
        let hf = try HuggingFaceFolder(url: folder)
        let config = try CLIPConfig.decode(try hf.configData(), source: hf.configURL.path)
        try self.init(config: config, archive: try hf.openWeights())
    }

    /// Loads the parts `config.kind` names from `archive`, whose keys start with `prefix`
    /// (`vision_model.`, `text_model.`, `visual_projection.weight`, `text_projection.weight`, `logit_scale`).
    /// - Throws: as ``init(folder:)``; any tensor under `prefix` the model does not use is an error.
    public init(config: CLIPConfig, archive: any TensorArchive, prefix: String = "") throws {
        self.config = config
        let loader = TensorLoader(archive, prefix: prefix)
        let hasVision = config.kind != .textTower
        let hasText = config.kind != .visionTower
        vision = hasVision
            ? try CLIPVisionTransformer(config: config.visionConfig, archive: archive, prefix: prefix + "vision_model.")
            : nil
        text = hasText
            ? try CLIPTextTransformer(config: config.textConfig, archive: archive, prefix: prefix + "text_model.") : nil
        // A full model always has both projections; a "…WithProjection" tower folder may carry its own.
        func projection(_ name: String, input: Int, required: Bool) throws -> Linear? {
            guard required || loader.contains(name) else { return nil }
            return Linear(weight: try loader.tensor(name, shape: [config.projectionDim, input]), bias: nil)
                .preparedForProducts()
        }
        visualProjection = hasVision
            ? try projection("visual_projection.weight", input: config.visionConfig.hiddenSize, required: config.kind == .model)
            : nil
        textProjection = hasText
            ? try projection("text_projection.weight", input: config.textConfig.hiddenSize, required: config.kind == .model)
            : nil
        if config.kind == .model { _ = try loader.tensor("logit_scale", shape: []) }
        // Whatever the towers did not claim must not be left over either.
        let claimed = Set(
            (vision == nil ? [] : archive.tensorNames.filter { $0.hasPrefix(prefix + "vision_model.") })
                + (text == nil ? [] : archive.tensorNames.filter { $0.hasPrefix(prefix + "text_model.") }))
        for name in claimed { loader.ignore(String(name.dropFirst(prefix.count))) }
        try loader.checkAllUsed()
    }

    /// Image features: `[n, C, S, S]` pixels → `[n, projection]` (`get_image_features`, before L2 normalisation),
    /// or the tower's `pooler_output` `[n, hidden]` when the model has no visual projection.
    /// - Throws: ``CLIPError`` when the model has no vision tower or the pixels do not fit it.
    public func imageFeatures(_ pixels: Tensor) throws -> Tensor {
        guard let vision else { throw CLIPError.missingTower("vision") }
        try vision.validate(pixels)
        let pooled = vision.pooled(pixels)
        return visualProjection.map { $0(pooled) } ?? pooled
    }

    /// Text features: `n` rows of token ids → `[n, projection]` (`get_text_features`, before L2 normalisation),
    /// or the tower's `pooler_output` `[n, hidden]` when the model has no text projection.
    /// - Throws: ``CLIPError`` when the model has no text tower or an id row does not fit it.
    public func textFeatures(_ tokenIDs: [[Int32]]) throws -> Tensor {
        guard let text else { throw CLIPError.missingTower("text") }
        try text.validate(tokenIDs)
        let pooled = text.pooled(tokenIDs)
        return textProjection.map { $0(pooled) } ?? pooled
    }
}
