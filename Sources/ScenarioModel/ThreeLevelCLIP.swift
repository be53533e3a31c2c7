import CLIP
import Numerics
import Tokenizer
import Weights

/// ScenarioCLIP's `ThreeLevelCLIP` (reference `models/backbone.py`): for each level — global, object,
/// relation — its own CLIP vision and text towers and its own `Linear(hidden, 512)` + `LayerNorm(512)` heads.
public final class ThreeLevelCLIP: SceneEmbedder, @unchecked Sendable {
    private let encoders: [Level: LevelEncoder]
    private let checkpoint: ScenarioCheckpoint
    private let tokenizer: LazyTokenizer

    /// Builds the six towers and six heads from a checked ``ScenarioCheckpoint`` of architecture `.threeLevel`.
    /// - Parameter tokenizer: used by ``embedTexts(_:level:)``; the bundled one is loaded on first use when `nil`.
    /// - Parameter precision: how the linear weights are stored (``Linear/converted(to:)``); anything but float32
    ///   gives another ``fingerprint`` (``ModelFingerprint/withPrecision(_:_:)``).
    public init(checkpoint: ScenarioCheckpoint, tokenizer: CLIPTokenizer? = nil, precision: Linear.Precision = .float32)
        throws
    {
        precondition(checkpoint.architecture == .threeLevel, "ThreeLevelCLIP needs a three-level checkpoint")
        var encoders: [Level: LevelEncoder] = [:]
        for level in Level.allCases {
            encoders[level] = try LevelEncoder(
                archive: checkpoint.archive, prefix: "\(level.rawValue)_", layout: checkpoint.layout,
                visionConfig: checkpoint.visionConfig, textConfig: checkpoint.textConfig
            ).converted(to: precision)
        }
        self.encoders = encoders
        self.checkpoint = checkpoint
        fingerprint = ModelFingerprint.withPrecision(try checkpoint.fingerprint(), precision)
        self.tokenizer = LazyTokenizer(tokenizer)
    }

    /// SHA-256 of weights, tower settings and preprocessing (see ``ModelFingerprint``), computed at load.
    public let fingerprint: String
    public var embeddingWidth: Int { encoders[.global]!.width }
    public var preprocess: PreprocessConfig { checkpoint.preprocess }
    /// Token context of the text towers (`max_position_embeddings`).
    public var contextLength: Int { checkpoint.textConfig.maxPositionEmbeddings }

    /// `{level}_encode_text` on already tokenized rows. Returns `[ids.count, embeddingWidth]`.
    /// - Throws: when an id is outside the vocabulary or a row is longer than ``contextLength``.
    public func embedTokens(_ ids: [[Int32]], level: Level) throws -> Tensor {
        try encoders[level]!.embedTokens(ids)
    }

    public func embedTexts(_ texts: [String], level: Level) throws -> Tensor {
        try embedTokens(try tokenizer.encode(texts, contextLength: contextLength), level: level)
    }

    /// `{level}_encode_image`: `pixels: [n, 3, S, S]` → `[n, embeddingWidth]`.
    public func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor {
        try encoders[level]!.embedImages(pixels)
    }
}
