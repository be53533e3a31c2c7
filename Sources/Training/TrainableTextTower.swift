import CLIP
/// A CLIP text transformer with gradients (`CLIPTextTransformer`): token + position embeddings, causal
/// encoder layers, `final_layer_norm`, pooled at the first end-of-text token (`argmax(input_ids)`).
///
/// Token ids `[n, context]` → pooled `[n, width]`.
final class TrainableTextTower {
    let config: CLIPTextConfig
    let tokenEmbedding: Parameter
    let positionEmbedding: Parameter
    let layers: [EncoderBlock]
    let finalLayerNorm: LayerNormLayer
    private var cachedIds: [Int32] = []
    private var cachedPooledRows: [Int] = []
    private var cachedBatch = 0
    private var cachedTokens = 0

    /// `prefix` is e.g. `global_text_encoder.text_model`.
    init(prefix: String, config: CLIPTextConfig, rng: inout TrainingRandom) {
        self.config = config
        let t = config
        let w = t.hiddenSize
        tokenEmbedding = Parameter(name: prefix + ".embeddings.token_embedding.weight", shape: [config.vocabSize, w],
                                   value: rng.normals(count: config.vocabSize * w, std: 0.02), decays: false)
        positionEmbedding = Parameter(name: prefix + ".embeddings.position_embedding.weight",
                                      shape: [config.maxPositionEmbeddings, w],
                                      value: rng.normals(count: config.maxPositionEmbeddings * w, std: 0.01), decays: false)
        var blocks: [EncoderBlock] = []
        for i in 0..<t.numHiddenLayers {
            blocks.append(EncoderBlock(name: prefix + ".encoder.layers.\(i)", width: w, heads: t.numAttentionHeads,
                                       intermediate: t.intermediateSize, layers: t.numHiddenLayers,
                                       activation: TrainableModelConfig.activation(t.hiddenAct), causal: true, eps: t.layerNormEps, rng: &rng))
        }
        layers = blocks
        finalLayerNorm = LayerNormLayer(name: prefix + ".final_layer_norm", width: w, eps: t.layerNormEps)
    }

    var embeddingParameters: [Parameter] { [tokenEmbedding, positionEmbedding] }

    var parameters: [Parameter] { embeddingParameters + layers.flatMap(\.parameters) + finalLayerNorm.parameters }

    private var embeddingsTrainable: Bool { embeddingParameters.contains(where: \.trainable) }

    private var lowestBackwardLayer: Int {
        if embeddingsTrainable { return 0 }
        return layers.firstIndex(where: \.isTrainable) ?? layers.count
    }

    /// Forward pass over `ids: [n, tokens]` (`tokens ≤ maxPositionEmbeddings`).
    func forward(_ ids: [Int32], count n: Int, tokens: Int, train: Bool) -> [Float] {
        let w = config.hiddenSize
        precondition(ids.count == n * tokens && tokens <= config.maxPositionEmbeddings,
                     "text tower: \(ids.count) ids for \(n) texts of \(tokens) tokens (context \(config.maxPositionEmbeddings))")
        var x = [Float](repeating: 0, count: n * tokens * w)
        var pooledRows = [Int](repeating: 0, count: n)
        x.withUnsafeMutableBufferPointer { xp in
            tokenEmbedding.value.withUnsafeBufferPointer { tp in
                positionEmbedding.value.withUnsafeBufferPointer { pp in
                    for r in 0..<n {
                        var best = 0
                        for t in 0..<tokens {
                            let id = Int(ids[r * tokens + t])
                            precondition(id >= 0 && id < config.vocabSize, "token id \(id) outside the vocabulary")
                            if ids[r * tokens + t] > ids[r * tokens + best] { best = t }
                            let dst = xp.baseAddress! + (r * tokens + t) * w
                            let te = tp.baseAddress! + id * w
                            let pe = pp.baseAddress! + t * w
                            for j in 0..<w { dst[j] = te[j] + pe[j] }
                        }
                        pooledRows[r] = r * tokens + best
                    }
                }
            }
        }
        let lowest = lowestBackwardLayer
        for (i, layer) in layers.enumerated() {
            x = layer.forward(x, batch: n, tokens: tokens, cache: train && i >= lowest)
        }
        var pooled = [Float](repeating: 0, count: n * w)
        for r in 0..<n {
            for j in 0..<w { pooled[r * w + j] = x[pooledRows[r] * w + j] }
        }
        if train {
            cachedIds = ids
            cachedPooledRows = pooledRows
            cachedBatch = n
            cachedTokens = tokens
        }
        return finalLayerNorm.forward(pooled, rows: n, cache: train)
    }

    /// Accumulates gradients from `dPooled: [n, width]`.
    func backward(_ dPooled: [Float]) {
        let w = config.hiddenSize
        let n = cachedBatch, tokens = cachedTokens
        let lowest = lowestBackwardLayer
        let dp = finalLayerNorm.backward(dPooled, needInput: lowest < layers.count)
        guard lowest < layers.count else { return }
        var dx = [Float](repeating: 0, count: n * tokens * w)
        for r in 0..<n {
            for j in 0..<w { dx[cachedPooledRows[r] * w + j] = dp[r * w + j] }
        }
        for i in stride(from: layers.count - 1, through: lowest, by: -1) {
            dx = layers[i].backward(dx, needInput: i > lowest || embeddingsTrainable)
        }
        guard embeddingsTrainable else { return }
        tokenEmbedding.grad.withUnsafeMutableBufferPointer { tg in
            positionEmbedding.grad.withUnsafeMutableBufferPointer { pg in
                for r in 0..<n {
                    for t in 0..<tokens {
                        let id = Int(cachedIds[r * tokens + t])
                        for j in 0..<w {
                            let g = dx[(r * tokens + t) * w + j]
                            if tokenEmbedding.trainable { tg[id * w + j] += g }
                            if positionEmbedding.trainable { pg[t * w + j] += g }
                        }
                    }
                }
            }
        }
        cachedIds = []
    }
}
