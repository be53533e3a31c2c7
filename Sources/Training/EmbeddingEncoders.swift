import CLIP
/// The head shared by both sides of every level: `Linear(hidden, embed)` → `LayerNorm(embed)` (the reference's
/// `*_projection` and `*_norm`). Pooled `[n, hidden]` → `[n, embed]`.
final class EmbeddingHead {
    let projection: LinearLayer
    let norm: LayerNormLayer

    init(headPrefix: String, normPrefix: String, hidden: Int, embedDim: Int, rng: inout TrainingRandom) {
        projection = LinearLayer(name: headPrefix, inFeatures: hidden, outFeatures: embedDim, bias: true, rng: &rng)
        norm = LayerNormLayer(name: normPrefix, width: embedDim)
    }

    var parameters: [Parameter] { projection.parameters + norm.parameters }

    func forward(_ pooled: [Float], rows: Int, train: Bool) -> [Float] {
        norm.forward(projection.forward(pooled, rows: rows, cache: train), rows: rows, cache: train)
    }

    /// Gradient with respect to the pooled input.
    func backward(_ dEmbedding: [Float]) -> [Float] {
        projection.backward(norm.backward(dEmbedding, needInput: true), needInput: true)
    }
}

/// The image side of one level: vision tower → ``EmbeddingHead``. Pixels `[n, 3, S, S]` → `[n, embed]`.
final class ImageEncoder {
    let tower: TrainableVisionTower
    let head: EmbeddingHead

    init(towerPrefix: String, headPrefix: String, normPrefix: String, config: CLIPVisionConfig, embedDim: Int,
         rng: inout TrainingRandom) {
        tower = TrainableVisionTower(prefix: towerPrefix, config: config, rng: &rng)
        head = EmbeddingHead(headPrefix: headPrefix, normPrefix: normPrefix, hidden: config.hiddenSize,
                             embedDim: embedDim, rng: &rng)
    }

    var parameters: [Parameter] { tower.parameters + head.parameters }

    func forward(_ pixels: [Float], count: Int, train: Bool) -> [Float] {
        head.forward(tower.forward(pixels, count: count, train: train), rows: count, train: train)
    }

    func backward(_ dEmbedding: [Float]) { tower.backward(head.backward(dEmbedding)) }
}

/// The text side of one level: text tower → ``EmbeddingHead``. Token ids `[n, tokens]` → `[n, embed]`.
final class TextEncoder {
    let tower: TrainableTextTower
    let head: EmbeddingHead

    init(towerPrefix: String, headPrefix: String, normPrefix: String, config: CLIPTextConfig, embedDim: Int,
         rng: inout TrainingRandom) {
        tower = TrainableTextTower(prefix: towerPrefix, config: config, rng: &rng)
        head = EmbeddingHead(headPrefix: headPrefix, normPrefix: normPrefix, hidden: config.hiddenSize,
                             embedDim: embedDim, rng: &rng)
    }

    var parameters: [Parameter] { tower.parameters + head.parameters }

    func forward(_ ids: [Int32], count: Int, tokens: Int, train: Bool) -> [Float] {
        head.forward(tower.forward(ids, count: count, tokens: tokens, train: train), rows: count, train: train)
    }

    func backward(_ dEmbedding: [Float]) { tower.backward(head.backward(dEmbedding)) }
}
