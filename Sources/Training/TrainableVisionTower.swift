import CLIP
import Numerics

/// A CLIP vision transformer with gradients (`CLIPVisionTransformer`): patch embedding (a stride-`p`
/// convolution without bias, done as im2col + GEMM), class token, position embedding, `pre_layrnorm`,
/// encoder layers, and `post_layernorm` on the class token (the pooled output).
///
/// Pixels `[n, 3, S, S]` → pooled `[n, width]`.
final class TrainableVisionTower {
    let config: CLIPVisionConfig
    let patchEmbedding: Parameter
    let classEmbedding: Parameter
    let positionEmbedding: Parameter
    let preLayerNorm: LayerNormLayer
    let layers: [EncoderBlock]
    let postLayerNorm: LayerNormLayer
    private var cachedPatches: [Float] = []
    private var cachedBatch = 0

    /// `prefix` is e.g. `global_visual_encoder.vision_model`.
    init(prefix: String, config: CLIPVisionConfig, rng: inout TrainingRandom) {
        self.config = config
        let t = config
        let w = t.hiddenSize, p = config.patchSize
        patchEmbedding = Parameter(name: prefix + ".embeddings.patch_embedding.weight", shape: [w, 3, p, p],
                                   value: rng.normals(count: w * 3 * p * p, std: 0.02), decays: false)
        classEmbedding = Parameter(name: prefix + ".embeddings.class_embedding", shape: [w],
                                   value: rng.normals(count: w, std: 1 / Float(w).squareRoot()), decays: false)
        let positions = config.tokenCount
        positionEmbedding = Parameter(name: prefix + ".embeddings.position_embedding.weight", shape: [positions, w],
                                      value: rng.normals(count: positions * w, std: 0.02), decays: false)
        preLayerNorm = LayerNormLayer(name: prefix + ".pre_layrnorm", width: w, eps: t.layerNormEps)
        var blocks: [EncoderBlock] = []
        for i in 0..<t.numHiddenLayers {
            blocks.append(EncoderBlock(name: prefix + ".encoder.layers.\(i)", width: w, heads: t.numAttentionHeads,
                                       intermediate: t.intermediateSize, layers: t.numHiddenLayers,
                                       activation: TrainableModelConfig.activation(t.hiddenAct), causal: false, eps: t.layerNormEps, rng: &rng))
        }
        layers = blocks
        postLayerNorm = LayerNormLayer(name: prefix + ".post_layernorm", width: w, eps: t.layerNormEps)
    }

    var embeddingParameters: [Parameter] { [classEmbedding, patchEmbedding, positionEmbedding] }

    var parameters: [Parameter] {
        embeddingParameters + preLayerNorm.parameters + layers.flatMap(\.parameters) + postLayerNorm.parameters
    }

    /// Index of the lowest layer whose input gradient (or own gradient) is needed; `layers.count` when none.
    private var lowestBackwardLayer: Int {
        if embeddingParameters.contains(where: \.trainable) || preLayerNorm.weight.trainable { return 0 }
        return layers.firstIndex(where: \.isTrainable) ?? layers.count
    }

    private var embeddingsTrainable: Bool { embeddingParameters.contains(where: \.trainable) }

    /// Forward pass; caches activations for the backward pass when `train` is set.
    func forward(_ pixels: [Float], count n: Int, train: Bool) -> [Float] {
        let s = config.imageSize, p = config.patchSize, w = config.hiddenSize
        let grid = s / p
        let patches = grid * grid
        let tokens = patches + 1
        let patchDim = 3 * p * p
        precondition(pixels.count == n * 3 * s * s, "vision tower: \(pixels.count) pixel values for \(n) images of \(s)×\(s)")
        // im2col: [n·patches, 3·p·p] in the conv weight's (channel, row, column) order.
        var cols = [Float](repeating: 0, count: n * patches * patchDim)
        pixels.withUnsafeBufferPointer { src in
            cols.withUnsafeMutableBufferPointer { dst in
                for img in 0..<n {
                    for gy in 0..<grid {
                        for gx in 0..<grid {
                            var o = ((img * patches) + gy * grid + gx) * patchDim
                            for c in 0..<3 {
                                for ky in 0..<p {
                                    let base = ((img * 3 + c) * s + gy * p + ky) * s + gx * p
                                    for kx in 0..<p { dst[o] = src[base + kx]; o += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
        var embedded = [Float](repeating: 0, count: n * patches * w)
        cols.withUnsafeBufferPointer { cp in
            patchEmbedding.value.withUnsafeBufferPointer { wp in
                embedded.withUnsafeMutableBufferPointer { ep in
                    BLAS.gemm(transposeB: true, m: n * patches, n: w, k: patchDim, a: cp.baseAddress!, lda: patchDim,
                              b: wp.baseAddress!, ldb: patchDim, c: ep.baseAddress!, ldc: w)
                }
            }
        }
        var x = [Float](repeating: 0, count: n * tokens * w)
        x.withUnsafeMutableBufferPointer { xp in
            embedded.withUnsafeBufferPointer { ep in
                classEmbedding.value.withUnsafeBufferPointer { cls in
                    positionEmbedding.value.withUnsafeBufferPointer { pos in
                        for img in 0..<n {
                            let out = xp.baseAddress! + img * tokens * w
                            for j in 0..<w { out[j] = cls[j] + pos[j] }
                            for t in 0..<patches {
                                let src = ep.baseAddress! + (img * patches + t) * w
                                let dst = out + (t + 1) * w
                                let pe = pos.baseAddress! + (t + 1) * w
                                for j in 0..<w { dst[j] = src[j] + pe[j] }
                            }
                        }
                    }
                }
            }
        }
        let lowest = lowestBackwardLayer
        if train && embeddingsTrainable { cachedPatches = cols }
        cachedBatch = n
        x = preLayerNorm.forward(x, rows: n * tokens, cache: train && lowest == 0)
        for (i, layer) in layers.enumerated() {
            x = layer.forward(x, batch: n, tokens: tokens, cache: train && i >= lowest)
        }
        var cls = [Float](repeating: 0, count: n * w)
        for img in 0..<n {
            for j in 0..<w { cls[img * w + j] = x[img * tokens * w + j] }
        }
        return postLayerNorm.forward(cls, rows: n, cache: train)
    }

    /// Accumulates gradients from `dPooled: [n, width]` into every trainable parameter.
    func backward(_ dPooled: [Float]) {
        let n = cachedBatch
        let w = config.hiddenSize
        let patches = config.gridSize * config.gridSize
        let tokens = patches + 1
        let lowest = lowestBackwardLayer
        let dCls = postLayerNorm.backward(dPooled, needInput: lowest < layers.count)
        guard lowest < layers.count || embeddingsTrainable || preLayerNorm.weight.trainable else { return }
        var dx = [Float](repeating: 0, count: n * tokens * w)
        for img in 0..<n {
            for j in 0..<w { dx[img * tokens * w + j] = dCls[img * w + j] }
        }
        for i in stride(from: layers.count - 1, through: lowest, by: -1) {
            dx = layers[i].backward(dx, needInput: i > lowest || lowest == 0)
        }
        guard lowest == 0 else { return }
        dx = preLayerNorm.backward(dx, needInput: embeddingsTrainable)
        guard embeddingsTrainable else { return }
        let patchDim = 3 * config.patchSize * config.patchSize
        if positionEmbedding.trainable || classEmbedding.trainable {
            positionEmbedding.grad.withUnsafeMutableBufferPointer { pg in
                classEmbedding.grad.withUnsafeMutableBufferPointer { cg in
                    for img in 0..<n {
                        for t in 0..<tokens {
                            for j in 0..<w {
                                let g = dx[(img * tokens + t) * w + j]
                                if positionEmbedding.trainable { pg[t * w + j] += g }
                                if t == 0 && classEmbedding.trainable { cg[j] += g }
                            }
                        }
                    }
                }
            }
        }
        if patchEmbedding.trainable {
            var dEmbedded = [Float](repeating: 0, count: n * patches * w)
            for img in 0..<n {
                for t in 0..<patches {
                    for j in 0..<w { dEmbedded[(img * patches + t) * w + j] = dx[(img * tokens + t + 1) * w + j] }
                }
            }
            dEmbedded.withUnsafeBufferPointer { dp in
                cachedPatches.withUnsafeBufferPointer { cp in
                    patchEmbedding.grad.withUnsafeMutableBufferPointer { gp in
                        BLAS.gemm(transposeA: true, m: w, n: patchDim, k: n * patches, a: dp.baseAddress!, lda: w,
                                  b: cp.baseAddress!, ldb: patchDim, beta: 1, c: gp.baseAddress!, ldc: patchDim)
                    }
                }
            }
        }
        cachedPatches = []
    }
}
