import CLIP
import Numerics
import Tokenizer
import Weights

/// The reference's single-level baseline `OneLevelCLIP` (its PyramidCLIP stand-in): one CLIP vision tower,
/// one text tower and one pair of `Linear(hidden, 512)` + `LayerNorm(512)` heads serving all three levels.
public final class OneLevelCLIP: SceneEmbedder, @unchecked Sendable {
    private let encoder: LevelEncoder
    private let checkpoint: ScenarioCheckpoint
    private let tokenizer: LazyTokenizer

    /// Builds the towers and heads from a checked ``ScenarioCheckpoint`` of architecture `.oneLevel`.
    /// - Parameter precision: how the linear weights are stored, as for ``ThreeLevelCLIP``.
    public init(checkpoint: ScenarioCheckpoint, tokenizer: CLIPTokenizer? = nil, precision: Linear.Precision = .float32)
        throws
    {
        precondition(checkpoint.architecture == .oneLevel, "OneLevelCLIP needs a one-level checkpoint")
        encoder = try LevelEncoder(
            archive: checkpoint.archive, prefix: "", layout: checkpoint.layout,
            visionConfig: checkpoint.visionConfig, textConfig: checkpoint.textConfig
        ).converted(to: precision)
        self.checkpoint = checkpoint
        fingerprint = ModelFingerprint.withPrecision(try checkpoint.fingerprint(), precision)
        self.tokenizer = LazyTokenizer(tokenizer)
    }

    /// SHA-256 of weights, tower settings and preprocessing (see ``ModelFingerprint``), computed at load.
    public let fingerprint: String
    public var embeddingWidth: Int { encoder.width }
    public var preprocess: PreprocessConfig { checkpoint.preprocess }
    /// Token context of the text tower (`max_position_embeddings`).
    public var contextLength: Int { checkpoint.textConfig.maxPositionEmbeddings }

    /// `encode_text` on tokenized rows (the same at every level). Returns `[ids.count, embeddingWidth]`.
    public func embedTokens(_ ids: [[Int32]], level: Level) throws -> Tensor {
        try encoder.embedTokens(ids)
    }

    public func embedTexts(_ texts: [String], level: Level) throws -> Tensor {
        try embedTokens(try tokenizer.encode(texts, contextLength: contextLength), level: level)
    }

    /// `encode_image`: `pixels: [n, 3, S, S]` → `[n, embeddingWidth]` (the same at every level).
    public func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor {
        try encoder.embedImages(pixels)
    }
}
