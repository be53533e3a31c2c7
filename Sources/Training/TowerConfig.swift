/// Shape of one CLIP transformer tower, with Hugging Face's config names in JSON.
public struct TowerConfig: Codable, Sendable, Equatable {
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var hiddenAct: TowerActivation
    public var layerNormEps: Float

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps"
    }

    public init(hiddenSize: Int, intermediateSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
                hiddenAct: TowerActivation = .quickGELU, layerNormEps: Float = 1e-5) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
    }
}

/// A CLIP vision tower's config (`CLIPVisionConfig`): the tower plus image and patch size.
public struct VisionTowerConfig: Codable, Sendable, Equatable {
    public var tower: TowerConfig
    public var imageSize: Int
    public var patchSize: Int

    public init(tower: TowerConfig, imageSize: Int, patchSize: Int) {
        self.tower = tower
        self.imageSize = imageSize
        self.patchSize = patchSize
    }

    /// Patches per image (`(imageSize / patchSize)²`).
    public var patchCount: Int { (imageSize / patchSize) * (imageSize / patchSize) }
}

/// A CLIP text tower's config (`CLIPTextConfig`): the tower plus vocabulary and context length.
public struct TextTowerConfig: Codable, Sendable, Equatable {
    public var tower: TowerConfig
    public var vocabSize: Int
    public var maxPositionEmbeddings: Int

    public init(tower: TowerConfig, vocabSize: Int = 49408, maxPositionEmbeddings: Int = 77) {
        self.tower = tower
        self.vocabSize = vocabSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
    }
}
