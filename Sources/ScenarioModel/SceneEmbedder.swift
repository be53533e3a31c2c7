import Imaging
import Numerics

/// Image preprocessing a model expects (from its config): square input side, mean and std per channel.
/// The same type as Imaging's, so a model's settings go straight to ``CLIPPreprocessor``.
public typealias PreprocessConfig = CLIPPreprocessConfig

extension CLIPPreprocessConfig {
    /// CLIP's normalisation at `imageSize`.
    public static func clip(imageSize: Int = 224) -> CLIPPreprocessConfig {
        CLIPPreprocessConfig(imageSize: imageSize, mean: openAICLIP.mean, std: openAICLIP.std)
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
