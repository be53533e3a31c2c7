import Numerics

/// Hugging Face `CLIPTextConfig`: the text tower's shape. Absent JSON fields take Hugging Face's defaults
/// (width 512, 12 layers, 8 heads, context 77, vocabulary 49408, quick_gelu, `eos_token_id` 49407).
public struct CLIPTextConfig: Codable, Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var maxPositionEmbeddings: Int
    /// `hidden_act`, e.g. `quick_gelu` or `gelu`.
    public var hiddenAct: String
    public var layerNormEps: Float
    /// End-of-text id; the legacy value 2 means "pool at the largest id" (see ``pooling``).
    public var eosTokenID: Int
    /// The tower's own `projection_dim` (used only by `CLIPTextModelWithProjection`).
    public var projectionDim: Int

    /// Where the text tower reads its pooled output.
    public enum Pooling: Equatable, Sendable {
        /// The first position holding the largest id (`eos_token_id == 2`, configs saved before transformers 4.31).
        case argmaxTokenID
        /// The first position holding this id (position 0 when absent), as Hugging Face does.
        case firstOccurrence(Int32)
    }

    /// Hugging Face's names: what `config.json` and the model files store (the encoding is synthesized from them).
    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case maxPositionEmbeddings = "max_position_embeddings", hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps", eosTokenID = "eos_token_id", projectionDim = "projection_dim"
    }

    /// A config with Hugging Face's defaults for every argument left out (CLIP ViT-B/32's text tower).
    public init(
        vocabSize: Int = 49408, hiddenSize: Int = 512, intermediateSize: Int = 2048, numHiddenLayers: Int = 12,
        numAttentionHeads: Int = 8, maxPositionEmbeddings: Int = 77, hiddenAct: String = "quick_gelu",
        layerNormEps: Float = 1e-5, eosTokenID: Int = 49407, projectionDim: Int = 512
    ) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
        self.eosTokenID = eosTokenID
        self.projectionDim = projectionDim
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CLIPTextConfig()
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? d.vocabSize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
        maxPositionEmbeddings =
            try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? d.layerNormEps
        eosTokenID = try c.decodeIfPresent(Int.self, forKey: .eosTokenID) ?? d.eosTokenID
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
    }

    /// The pooling rule Hugging Face's `CLIPTextTransformer` applies for this config.
    public var pooling: Pooling {
        eosTokenID == 2 ? .argmaxTokenID : .firstOccurrence(Int32(truncatingIfNeeded: eosTokenID))
    }

    /// The activation named by `hiddenAct`, and a sanity check of the shape fields.
    /// - Throws: ``CLIPError`` naming `source` when a field is impossible or the activation unknown.
    public func validated(source: String) throws -> Activation {
        for (name, value, limit) in [
            ("vocab_size", vocabSize, CLIPConfig.maxVocabulary), ("hidden_size", hiddenSize, CLIPConfig.maxWidth),
            ("intermediate_size", intermediateSize, CLIPConfig.maxWidth * 4),
            ("num_attention_heads", numAttentionHeads, CLIPConfig.maxHeads),
            ("max_position_embeddings", maxPositionEmbeddings, CLIPConfig.maxContext),
        ] where !(1...limit).contains(value) {
            throw CLIPError.invalidConfig(source: source, reason: "text \(name) is \(value); expected 1...\(limit)")
        }
        guard (0...CLIPConfig.maxLayers).contains(numHiddenLayers) else {
            throw CLIPError.invalidConfig(
                source: source, reason: "text num_hidden_layers is \(numHiddenLayers); expected 0...\(CLIPConfig.maxLayers)")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw CLIPError.invalidConfig(
                source: source, reason: "text hidden_size \(hiddenSize) is not divisible by \(numAttentionHeads) heads")
        }
        guard let activation = Activation(rawValue: hiddenAct) else {
            throw CLIPError.unsupportedActivation(hiddenAct, source: source)
        }
        return activation
    }
}
