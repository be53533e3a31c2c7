import Numerics

/// Image preprocessing a model expects (from its config): square input side, mean and std per channel.
public struct PreprocessConfig: Sendable, Equatable, Codable {
    public var imageSize: Int
    public var mean: [Float]
    public var std: [Float]

    public init(imageSize: Int, mean: [Float], std: [Float]) {
        self.imageSize = imageSize
        self.mean = mean
        self.std = std
    }

    /// CLIP's normalisation at `imageSize`.
    public static func clip(imageSize: Int = 224) -> PreprocessConfig {
        PreprocessConfig(imageSize: imageSize,
                         mean: [0.48145466, 0.4578275, 0.40821073],
                         std: [0.26862954, 0.26130258, 0.27577711])
    }
}

/// A model that embeds texts and preprocessed images at each ScenarioCLIP level.
///
/// Embeddings are the raw head outputs `[n, embeddingWidth]` (before L2 normalisation).
public protocol SceneEmbedder: AnyObject, Sendable {
    /// Stable identity of weights + preprocessing; embedding caches key on it.
    var fingerprint: String { get }
    /// Width of every level's embedding.
    var embeddingWidth: Int { get }
    /// What images must look like before ``embedImages(_:level:)``.
    var preprocess: PreprocessConfig { get }
    /// Embeds texts at `level`. Returns `[texts.count, embeddingWidth]`.
    func embedTexts(_ texts: [String], level: Level) throws -> Tensor
    /// Embeds preprocessed images `pixels: [n, 3, S, S]` at `level`. Returns `[n, embeddingWidth]`.
    func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor
}
