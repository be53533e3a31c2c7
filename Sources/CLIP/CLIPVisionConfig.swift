import Numerics

/// Hugging Face `CLIPVisionConfig`: the vision tower's shape. Absent JSON fields take Hugging Face's defaults,
/// which are ViT-B/32's (224 px, patch 32, width 768, 12 layers, 12 heads, quick_gelu).
public struct CLIPVisionConfig: Codable, Sendable, Equatable {
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numChannels: Int
    public var imageSize: Int
    public var patchSize: Int
    /// `hidden_act`, e.g. `quick_gelu` or `gelu`.
    public var hiddenAct: String
    public var layerNormEps: Float
    /// The tower's own `projection_dim` (used only by `CLIPVisionModelWithProjection`).
    public var projectionDim: Int

    /// Hugging Face's names: what `config.json` and the model files store (the encoding is synthesized from them).
    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numChannels = "num_channels", imageSize = "image_size", patchSize = "patch_size"
        case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps", projectionDim = "projection_dim"
    }

    /// A config with Hugging Face's defaults for every argument left out (ViT-B/32).
    public init(
        hiddenSize: Int = 768, intermediateSize: Int = 3072, numHiddenLayers: Int = 12, numAttentionHeads: Int = 12,
        numChannels: Int = 3, imageSize: Int = 224, patchSize: Int = 32, hiddenAct: String = "quick_gelu",
        layerNormEps: Float = 1e-5, projectionDim: Int = 512
    ) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numChannels = numChannels
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
        self.projectionDim = projectionDim
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CLIPVisionConfig()
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
        numChannels = try c.decodeIfPresent(Int.self, forKey: .numChannels) ?? d.numChannels
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? d.imageSize
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? d.patchSize
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? d.layerNormEps
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
    }

    /// Patches along one side (`image_size / patch_size`, rounded down as the strided convolution does).
    public var gridSize: Int { imageSize / patchSize }
    /// Tokens per image: one class token plus `gridSize²` patches.
    public var tokenCount: Int { gridSize * gridSize + 1 }

    /// The activation named by `hiddenAct`, and a sanity check of the shape fields.
    /// - Throws: ``CLIPError`` naming `source` when a field is impossible or the activation unknown.
    public func validated(source: String) throws -> Activation {
        for (name, value, limit) in [
            ("hidden_size", hiddenSize, CLIPConfig.maxWidth), ("intermediate_size", intermediateSize, CLIPConfig.maxWidth * 4),
            ("num_attention_heads", numAttentionHeads, CLIPConfig.maxHeads), ("num_channels", numChannels, 16),
            ("image_size", imageSize, CLIPConfig.maxImageSize), ("patch_size", patchSize, CLIPConfig.maxImageSize),
        ] where !(1...limit).contains(value) {
            throw CLIPError.invalidConfig(source: source, reason: "vision \(name) is \(value); expected 1...\(limit)")
        }
        guard (0...CLIPConfig.maxLayers).contains(numHiddenLayers) else {
            throw CLIPError.invalidConfig(
                source: source, reason: "vision num_hidden_layers is \(numHiddenLayers); expected 0...\(CLIPConfig.maxLayers)")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw CLIPError.invalidConfig(
                source: source, reason: "vision hidden_size \(hiddenSize) is not divisible by \(numAttentionHeads) heads")
        }
        guard patchSize <= imageSize else {
            throw CLIPError.invalidConfig(source: source, reason: "vision patch_size \(patchSize) exceeds image_size \(imageSize)")
        }
        guard let activation = Activation(rawValue: hiddenAct) else {
            throw CLIPError.unsupportedActivation(hiddenAct, source: source)
        }
        return activation
    }
}
