import CLIP
import Numerics

/// Which model family is trained.
public enum TrainingArchitecture: String, Codable, Sendable, CaseIterable {
    /// Three levels, six towers, with EMA-teacher distillation (the reference's `ScenarioCLIP1`).
    case scenarioclip1
    /// Three levels, six towers, contrastive losses only (`ScenarioCLIP0`).
    case scenarioclip0
    /// One vision and one text tower shared by all levels (the reference's `PyramidCLIP` stand-in).
    case onelevel

    /// `true` for the six-tower model.
    public var isThreeLevel: Bool { self != .onelevel }
    /// `true` when the loss includes teacher distillation.
    public var distills: Bool { self == .scenarioclip1 }
}

/// Architecture and sizes of a trainable model: the towers in the engine's own descriptions (CLIP's
/// ``CLIP/CLIPVisionConfig`` and ``CLIP/CLIPTextConfig``, what inference builds from too).
public struct TrainableModelConfig: Codable, Sendable, Equatable {
    public var threeLevel: Bool
    public var vision: CLIPVisionConfig
    /// The text tower; training's towers pool at the largest token id (`eos_token_id` 2, as OpenAI CLIP).
    public var text: CLIPTextConfig
    /// Width of every level's embedding (the reference uses 512).
    public var embedDim: Int

    public init(threeLevel: Bool, vision: CLIPVisionConfig, text: CLIPTextConfig, embedDim: Int = 512) {
        self.threeLevel = threeLevel
        self.vision = vision
        self.text = text
        self.embedDim = embedDim
    }

    enum CodingKeys: String, CodingKey { case threeLevel, vision, text, embedDim }

    /// Reads the config checkpoints store, including the layout written before the towers were CLIP's configs
    /// (`{"tower": {…Hugging Face keys…}, "imageSize", "patchSize"}` and `{"tower", "vocabSize",
    /// "maxPositionEmbeddings"}`). An unknown `hidden_act` is an error here, so towers built from a decoded config
    /// always know their activation.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        threeLevel = try c.decode(Bool.self, forKey: .threeLevel)
        embedDim = try c.decode(Int.self, forKey: .embedDim)
        if let legacy = try? c.decode(LegacyVision.self, forKey: .vision) {
            vision = legacy.config
        } else {
            vision = try c.decode(CLIPVisionConfig.self, forKey: .vision)
        }
        if let legacy = try? c.decode(LegacyText.self, forKey: .text) {
            text = legacy.config
        } else {
            text = try c.decode(CLIPTextConfig.self, forKey: .text)
        }
        for (name, act) in [("vision", vision.hiddenAct), ("text", text.hiddenAct)] where Activation(rawValue: act) == nil {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: c.codingPath, debugDescription: "\(name) hidden_act '\(act)' is not quick_gelu or gelu"))
        }
    }

    /// The MLP activation a tower's `hidden_act` names (checked when a config is decoded).
    static func activation(_ name: String) -> Activation {
        guard let activation = Activation(rawValue: name) else {
            preconditionFailure("hidden_act '\(name)' is neither quick_gelu nor gelu (decoded configs are checked)")
        }
        return activation
    }

    /// A tower of OpenAI CLIP's kind: quick_gelu, ε 1e-5.
    static func vision(width: Int, intermediate: Int, layers: Int, heads: Int, imageSize: Int, patchSize: Int)
        -> CLIPVisionConfig
    {
        CLIPVisionConfig(hiddenSize: width, intermediateSize: intermediate, numHiddenLayers: layers,
                         numAttentionHeads: heads, imageSize: imageSize, patchSize: patchSize)
    }

    static func text(width: Int, intermediate: Int, layers: Int, heads: Int, vocabSize: Int = 49408, context: Int = 77)
        -> CLIPTextConfig
    {
        CLIPTextConfig(vocabSize: vocabSize, hiddenSize: width, intermediateSize: intermediate, numHiddenLayers: layers,
                       numAttentionHeads: heads, maxPositionEmbeddings: context, eosTokenID: 2)
    }

    /// A microscopic model for tests: 16 px images, 8 px patches, width 16, 2 layers; text width 16, context 8.
    public static func tiny(threeLevel: Bool = true, vocabSize: Int = 49408) -> TrainableModelConfig {
        TrainableModelConfig(
            threeLevel: threeLevel,
            vision: vision(width: 16, intermediate: 32, layers: 2, heads: 2, imageSize: 16, patchSize: 8),
            text: text(width: 16, intermediate: 32, layers: 2, heads: 2, vocabSize: vocabSize, context: 8),
            embedDim: 32)
    }

    /// The bundled demo model's shape: 64 px images, 8 px patches, vision width 64 × 4 layers; text width 32 × 2
    /// layers with a 16-token context; 512-wide embeddings.
    public static let demo = TrainableModelConfig(
        threeLevel: true,
        vision: vision(width: 64, intermediate: 256, layers: 4, heads: 4, imageSize: 64, patchSize: 8),
        text: text(width: 32, intermediate: 128, layers: 2, heads: 4, context: 16),
        embedDim: 512)

    /// OpenAI's ViT-B/32 shape (224 px, patch 32, width 768 × 12; text 512 × 12, context 77).
    public static let vitB32 = TrainableModelConfig(
        threeLevel: true,
        vision: vision(width: 768, intermediate: 3072, layers: 12, heads: 12, imageSize: 224, patchSize: 32),
        text: text(width: 512, intermediate: 2048, layers: 12, heads: 8),
        embedDim: 512)
}

/// The tower fields checkpoints stored before the towers were CLIP's configs.
private struct LegacyTower: Decodable {
    var hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int, numAttentionHeads: Int
    var hiddenAct: String, layerNormEps: Float

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps"
    }
}

private struct LegacyVision: Decodable {
    var tower: LegacyTower, imageSize: Int, patchSize: Int

    var config: CLIPVisionConfig {
        CLIPVisionConfig(hiddenSize: tower.hiddenSize, intermediateSize: tower.intermediateSize,
                         numHiddenLayers: tower.numHiddenLayers, numAttentionHeads: tower.numAttentionHeads,
                         imageSize: imageSize, patchSize: patchSize, hiddenAct: tower.hiddenAct,
                         layerNormEps: tower.layerNormEps)
    }
}

private struct LegacyText: Decodable {
    var tower: LegacyTower, vocabSize: Int, maxPositionEmbeddings: Int

    var config: CLIPTextConfig {
        CLIPTextConfig(vocabSize: vocabSize, hiddenSize: tower.hiddenSize, intermediateSize: tower.intermediateSize,
                       numHiddenLayers: tower.numHiddenLayers, numAttentionHeads: tower.numAttentionHeads,
                       maxPositionEmbeddings: maxPositionEmbeddings, hiddenAct: tower.hiddenAct,
                       layerNormEps: tower.layerNormEps, eosTokenID: 2)
    }
}
