import Numerics
import Weights

/// CLIP's text tower, equal to Hugging Face `CLIPTextModel`'s `pooler_output`: token + position embeddings →
/// causal encoder → `final_layer_norm`, read at the end-of-text position (see ``CLIPTextConfig/pooling``).
///
/// Because attention is causal, the output at the pooled position depends only on the tokens up to it, so the
/// tower runs only up to the longest pooled position of the batch instead of the full context — exactly the same
/// result as Hugging Face, computed over fewer tokens.
public struct CLIPTextTransformer: Sendable {
    public let config: CLIPTextConfig
    /// `[vocab, hidden]`.
    let tokenEmbedding: Tensor
    /// `[context, hidden]`.
    let positionEmbedding: Tensor
    private(set) var encoder: CLIPEncoder
    let finalLayerNorm: LayerNorm

    /// Loads the tower from `archive`, reading `prefix + "embeddings.token_embedding.weight"` and so on.
    ///
    /// - Parameter prefix: everything before `embeddings.` in the keys: `"text_model."` in a Hugging Face
    ///   `CLIPModel` or `CLIPTextModel`, `"model.global_text_encoder.text_model."` in a ScenarioCLIP checkpoint.
    /// - Throws: `WeightsError` naming a missing, misshapen or unreadable tensor, or any tensor under `prefix`
    ///   that the tower does not use; ``CLIPError`` for an impossible config.
    public init(config: CLIPTextConfig, archive: any TensorArchive, prefix: String = "text_model.") throws {
        let activation = try config.validated(source: archive.sourceDescription)
        let loader = TensorLoader(archive, prefix: prefix)
        let width = config.hiddenSize
        self.config = config
        tokenEmbedding = try loader.tensor("embeddings.token_embedding.weight", shape: [config.vocabSize, width])
        positionEmbedding = try loader.tensor(
            "embeddings.position_embedding.weight", shape: [config.maxPositionEmbeddings, width])
        loader.ignore("embeddings.position_ids")
        encoder = try CLIPEncoder(
            loader: loader, prefix: "", layerCount: config.numHiddenLayers, width: width,
            intermediate: config.intermediateSize, heads: config.numAttentionHeads, eps: config.layerNormEps,
            activation: activation)
        finalLayerNorm = LayerNorm(
            weight: try loader.tensor("final_layer_norm.weight", shape: [width]),
            bias: try loader.tensor("final_layer_norm.bias", shape: [width]), eps: config.layerNormEps)
        try loader.checkAllUsed()
    }

    /// The same tower with the encoder's linear weights stored in `precision` (embeddings and layer norms stay
    /// float32). ``Linear/Precision/float16`` is an explicit speed/memory option, not equal to Hugging Face to 1e-4.
    public func converted(to precision: Linear.Precision) -> CLIPTextTransformer {
        var copy = self
        copy.encoder = encoder.converted(to: precision)
        return copy
    }

    /// The position whose hidden state is pooled for one row of ids, as Hugging Face picks it.
    public func poolingPosition(_ ids: [Int32]) -> Int {
        switch config.pooling {
        case .argmaxTokenID:
            var best = 0
            for (i, id) in ids.enumerated() where id > ids[best] { best = i }
            return best
        case .firstOccurrence(let eos):
            return ids.firstIndex(of: eos) ?? 0
        }
    }

    /// Checks that every row is non-empty, no longer than the context, and holds only ids in the vocabulary.
    /// - Throws: ``CLIPError/invalidInput(_:)`` naming the row and id.
    public func validate(_ tokenIDs: [[Int32]]) throws {
        guard !tokenIDs.isEmpty else { throw CLIPError.invalidInput("no token rows") }
        for (r, row) in tokenIDs.enumerated() {
            guard !row.isEmpty, row.count <= config.maxPositionEmbeddings else {
                throw CLIPError.invalidInput(
                    "token row \(r) has \(row.count) ids, expected 1...\(config.maxPositionEmbeddings)")
            }
            if let bad = row.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
                throw CLIPError.invalidInput("token row \(r) holds id \(bad), outside the vocabulary 0..<\(config.vocabSize)")
            }
        }
    }

    /// `pooler_output`: `n` rows of token ids (each at most `maxPositionEmbeddings` long, usually padded to it)
    /// → `[n, hidden]`. Rows may differ in length.
    ///
    /// Runs `[n, L, hidden]` through the encoder where `L` is one past the largest pooled position.
    public func pooled(_ tokenIDs: [[Int32]]) -> Tensor {
        precondition((try? validate(tokenIDs)) != nil, "invalid token ids for this text tower")
        let positions = tokenIDs.map(poolingPosition)
        let length = positions.max()! + 1
        let width = config.hiddenSize
        let n = tokenIDs.count
        let embeddings = Tensor(shape: [n, length, width]) { out in
            tokenEmbedding.withUnsafeBufferPointer { tokens in
                positionEmbedding.withUnsafeBufferPointer { position in
                    for (r, row) in tokenIDs.enumerated() {
                        for t in 0..<length {
                            let dst = out.baseAddress! + (r * length + t) * width
                            if t < row.count {
                                VectorKernels.add(
                                    tokens.baseAddress! + Int(row[t]) * width, position.baseAddress! + t * width, dst,
                                    width)
                            } else {
                                // Past this row's end and its pooled position: never read, causally.
                                dst.update(repeating: 0, count: width)
                            }
                        }
                    }
                }
            }
        }
        return finalLayerNorm(encoder.finalHidden(embeddings, causal: true, at: positions))
    }
}
