import CLIP
import Numerics
import Tokenizer
import Weights

/// A plain Hugging Face `CLIPModel` serving all three levels through its own projections
/// (`get_image_features` / `get_text_features`), for users without a ScenarioCLIP checkpoint.
public final class HuggingFaceCLIPEmbedder: SceneEmbedder, @unchecked Sendable {
    private let model: CLIPModel
    private let checkpoint: ScenarioCheckpoint
    private let tokenizer: LazyTokenizer

    /// Builds the model from a checked ``ScenarioCheckpoint`` of architecture `.huggingFaceCLIP`.
    /// - Parameter precision: how the linear weights are stored, as for ``ThreeLevelCLIP``.
    public init(checkpoint: ScenarioCheckpoint, tokenizer: CLIPTokenizer? = nil, precision: Linear.Precision = .float32)
        throws
    {
        precondition(checkpoint.architecture == .huggingFaceCLIP, "HuggingFaceCLIPEmbedder needs a CLIPModel")
        let config = checkpoint.clipConfig
            ?? CLIPConfig(visionConfig: checkpoint.visionConfig, textConfig: checkpoint.textConfig)
        model = try CLIPModel(config: config, archive: checkpoint.archive).converted(to: precision)
        self.checkpoint = checkpoint
        fingerprint = ModelFingerprint.withPrecision(try checkpoint.fingerprint(), precision)
        self.tokenizer = LazyTokenizer(tokenizer)
    }

    /// SHA-256 of weights, tower settings and preprocessing (see ``ModelFingerprint``), computed at load.
    public let fingerprint: String
    public var embeddingWidth: Int { model.config.projectionDim }
    public var preprocess: PreprocessConfig { checkpoint.preprocess }
    /// Token context of the text tower (`max_position_embeddings`).
    public var contextLength: Int { checkpoint.textConfig.maxPositionEmbeddings }

    /// `get_text_features` on tokenized rows (every level alike). Returns `[ids.count, embeddingWidth]`.
    public func embedTokens(_ ids: [[Int32]], level: Level) throws -> Tensor {
        try model.textFeatures(ids)
    }

    public func embedTexts(_ texts: [String], level: Level) throws -> Tensor {
        try embedTokens(try tokenizer.encode(texts, contextLength: contextLength), level: level)
    }

    /// `get_image_features`: `pixels: [n, 3, S, S]` → `[n, embeddingWidth]` (every level alike).
    public func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor {
        try model.imageFeatures(pixels)
    }
}
