import CLIP
import Numerics
import Weights

/// One level's encoders as the reference builds them: a CLIP vision tower and a CLIP text tower, each followed by
/// `Linear(hidden, 512)` (with bias) and `LayerNorm(512)` (`ThreeLevelCLIP.{level}_encode_image/_text`).
struct LevelEncoder: Sendable {
    let vision: CLIPVisionTransformer
    let text: CLIPTextTransformer
    /// `{level}_image_projection`: `[width, vision hidden]` + bias.
    let imageProjection: Linear
    /// `{level}_image_norm`: `[width]`.
    let imageNorm: LayerNorm
    /// `{level}_text_projection`: `[width, text hidden]` + bias.
    let textProjection: Linear
    /// `{level}_text_norm`: `[width]`.
    let textNorm: LayerNorm

    /// Loads the towers under `{prefix}visual_encoder.` / `{prefix}text_encoder.` and the heads
    /// `{prefix}image_projection`, `{prefix}image_norm`, `{prefix}text_projection`, `{prefix}text_norm`.
    init(archive: any TensorArchive, prefix: String, layout: ScenarioKeyLayout,
         visionConfig: CLIPVisionConfig, textConfig: CLIPTextConfig) throws {
        vision = try CLIPVisionTransformer(
            config: visionConfig, archive: archive, prefix: layout.visionPrefix(prefix))
        text = try CLIPTextTransformer(config: textConfig, archive: archive, prefix: layout.textPrefix(prefix))
        let loader = TensorLoader(archive)
        let width = archive.info(prefix + "image_projection.weight")?.shape.first ?? 512
        func linear(_ name: String, input: Int) throws -> Linear {
            Linear(weight: try loader.tensor(prefix + name + ".weight", shape: [width, input]),
                   bias: try loader.tensor(prefix + name + ".bias", shape: [width]))
        }
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(weight: try loader.tensor(prefix + name + ".weight", shape: [width]),
                      bias: try loader.tensor(prefix + name + ".bias", shape: [width]), eps: 1e-5)
        }
        imageProjection = try linear("image_projection", input: visionConfig.hiddenSize)
        textProjection = try linear("text_projection", input: textConfig.hiddenSize)
        imageNorm = try norm("image_norm")
        textNorm = try norm("text_norm")
    }

    /// The same encoder with the towers' and heads' linear weights stored in `precision` (layer norms,
    /// embeddings and everything but the products stay float32).
    func converted(to precision: Linear.Precision) -> LevelEncoder {
        LevelEncoder(
            vision: vision.converted(to: precision), text: text.converted(to: precision),
            imageProjection: imageProjection.converted(to: precision), imageNorm: imageNorm,
            textProjection: textProjection.converted(to: precision), textNorm: textNorm)
    }

    private init(
        vision: CLIPVisionTransformer, text: CLIPTextTransformer, imageProjection: Linear, imageNorm: LayerNorm,
        textProjection: Linear, textNorm: LayerNorm
    ) {
        self.vision = vision
        self.text = text
        self.imageProjection = imageProjection
        self.imageNorm = imageNorm
        self.textProjection = textProjection
        self.textNorm = textNorm
    }

    /// Embedding width (the heads' output, 512 in the reference).
    var width: Int { imageProjection.outFeatures }

    /// `pixels: [n, C, S, S]` → `[n, width]`: `norm(projection(pooler_output))`.
    func embedImages(_ pixels: Tensor) throws -> Tensor {
        try vision.validate(pixels)
        return imageNorm(imageProjection(vision.pooled(pixels)))
    }

    /// `n` rows of token ids → `[n, width]`.
    func embedTokens(_ ids: [[Int32]]) throws -> Tensor {
        try text.validate(ids)
        return textNorm(textProjection(text.pooled(ids)))
    }
}

/// Where the towers sit under their module names: transformers 4.x keeps an inner `vision_model.` /
/// `text_model.` level (`global_visual_encoder.vision_model.…`); transformers 5 drops it.
struct ScenarioKeyLayout: Sendable, Equatable {
    var innerVisionLevel: Bool
    var innerTextLevel: Bool

    func visionPrefix(_ levelPrefix: String) -> String {
        levelPrefix + "visual_encoder." + (innerVisionLevel ? "vision_model." : "")
    }

    func textPrefix(_ levelPrefix: String) -> String {
        levelPrefix + "text_encoder." + (innerTextLevel ? "text_model." : "")
    }

    /// Reads the layout from the names of the first level's towers.
    static func detect(_ names: Set<String>, levelPrefix: String) -> ScenarioKeyLayout {
        ScenarioKeyLayout(
            innerVisionLevel: names.contains(levelPrefix + "visual_encoder.vision_model.embeddings.class_embedding")
                || !names.contains(levelPrefix + "visual_encoder.embeddings.class_embedding"),
            innerTextLevel: names.contains(levelPrefix + "text_encoder.text_model.embeddings.token_embedding.weight")
                || !names.contains(levelPrefix + "text_encoder.embeddings.token_embedding.weight"))
    }
}
