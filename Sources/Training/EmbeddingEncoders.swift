/// The image side of one level: vision tower → `Linear(hidden, embed)` → `LayerNorm(embed)`
/// (the reference's `*_image_projection` and `*_image_norm`). Pixels `[n, 3, S, S]` → `[n, embed]`.
final class ImageEncoder {
    let tower: TrainableVisionTower
    let projection: LinearLayer
    let norm: LayerNormLayer

    init(towerPrefix: String, headPrefix: String, normPrefix: String, config: VisionTowerConfig, embedDim: Int,
         rng: inout TrainingRandom) {
        tower = TrainableVisionTower(prefix: towerPrefix, config: config, rng: &rng)
        projection = LinearLayer(name: headPrefix, inFeatures: config.tower.hiddenSize, outFeatures: embedDim, bias: true,
                                 rng: &rng)
        norm = LayerNormLayer(name: normPrefix, width: embedDim)
    }

    var parameters: [Parameter] { tower.parameters + projection.parameters + norm.parameters }

    func forward(_ pixels: [Float], count: Int, train: Bool) -> [Float] {
        let pooled = tower.forward(pixels, count: count, train: train)
        let projected = projection.forward(pooled, rows: count, cache: train)
        return norm.forward(projected, rows: count, cache: train)
    }

    func backward(_ dEmbedding: [Float]) {
        let dProjected = norm.backward(dEmbedding, needInput: true)
        let dPooled = projection.backward(dProjected, needInput: true)
        tower.backward(dPooled)
    }
}

/// The text side of one level: text tower → `Linear(hidden, embed)` → `LayerNorm(embed)`.
/// Token ids `[n, tokens]` → `[n, embed]`.
final class TextEncoder {
    let tower: TrainableTextTower
    let projection: LinearLayer
    let norm: LayerNormLayer

    init(towerPrefix: String, headPrefix: String, normPrefix: String, config: TextTowerConfig, embedDim: Int,
         rng: inout TrainingRandom) {
        tower = TrainableTextTower(prefix: towerPrefix, config: config, rng: &rng)
        projection = LinearLayer(name: headPrefix, inFeatures: config.tower.hiddenSize, outFeatures: embedDim, bias: true,
                                 rng: &rng)
        norm = LayerNormLayer(name: normPrefix, width: embedDim)
    }

    var parameters: [Parameter] { tower.parameters + projection.parameters + norm.parameters }

    func forward(_ ids: [Int32], count: Int, tokens: Int, train: Bool) -> [Float] {
        let pooled = tower.forward(ids, count: count, tokens: tokens, train: train)
        let projected = projection.forward(pooled, rows: count, cache: train)
        return norm.forward(projected, rows: count, cache: train)
    }

    func backward(_ dEmbedding: [Float]) {
        let dProjected = norm.backward(dEmbedding, needInput: true)
        let dPooled = projection.backward(dProjected, needInput: true)
        tower.backward(dPooled)
    }
}
