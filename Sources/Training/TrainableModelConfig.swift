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

/// Architecture and sizes of a trainable model (towers in Hugging Face's config terms).
public struct TrainableModelConfig: Codable, Sendable, Equatable {
    public var threeLevel: Bool
    public var vision: VisionTowerConfig
    public var text: TextTowerConfig
    /// Width of every level's embedding (the reference uses 512).
    public var embedDim: Int

    public init(threeLevel: Bool, vision: VisionTowerConfig, text: TextTowerConfig, embedDim: Int = 512) {
        self.threeLevel = threeLevel
        self.vision = vision
        self.text = text
        self.embedDim = embedDim
    }

    /// A microscopic model for tests: 16 px images, 8 px patches, width 16, 2 layers; text width 16, context 8.
    public static func tiny(threeLevel: Bool = true, vocabSize: Int = 49408) -> TrainableModelConfig {
        TrainableModelConfig(
            threeLevel: threeLevel,
            vision: VisionTowerConfig(tower: TowerConfig(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2,
                                                         numAttentionHeads: 2),
                                      imageSize: 16, patchSize: 8),
            text: TextTowerConfig(tower: TowerConfig(hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2,
                                                     numAttentionHeads: 2),
                                  vocabSize: vocabSize, maxPositionEmbeddings: 8),
            embedDim: 32)
    }

    /// The bundled demo model's shape: 64 px images, 8 px patches, vision width 64 × 4 layers; text width 32 × 2
    /// layers with a 16-token context; 512-wide embeddings.
    public static let demo = TrainableModelConfig(
        threeLevel: true,
        vision: VisionTowerConfig(tower: TowerConfig(hiddenSize: 64, intermediateSize: 256, numHiddenLayers: 4,
                                                     numAttentionHeads: 4),
                                  imageSize: 64, patchSize: 8),
        text: TextTowerConfig(tower: TowerConfig(hiddenSize: 32, intermediateSize: 128, numHiddenLayers: 2,
                                                 numAttentionHeads: 4),
                              vocabSize: 49408, maxPositionEmbeddings: 16),
        embedDim: 512)

    /// OpenAI's ViT-B/32 shape (224 px, patch 32, width 768 × 12; text 512 × 12, context 77).
    public static let vitB32 = TrainableModelConfig(
        threeLevel: true,
        vision: VisionTowerConfig(tower: TowerConfig(hiddenSize: 768, intermediateSize: 3072, numHiddenLayers: 12,
                                                     numAttentionHeads: 12),
                                  imageSize: 224, patchSize: 32),
        text: TextTowerConfig(tower: TowerConfig(hiddenSize: 512, intermediateSize: 2048, numHiddenLayers: 12,
                                                 numAttentionHeads: 8)),
        embedDim: 512)
}
