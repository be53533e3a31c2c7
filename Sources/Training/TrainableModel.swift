import ScenarioModel

/// A ScenarioCLIP model with gradients: per level an ``ImageEncoder`` and a ``TextEncoder`` (three-level:
/// six towers; one-level: one pair shared by all levels), parameter names as in the reference's state dict.
public final class TrainableModel: @unchecked Sendable {
    public let config: TrainableModelConfig
    let imageEncoders: [Level: ImageEncoder]
    let textEncoders: [Level: TextEncoder]
    /// Every parameter once, in a stable order.
    public let parameters: [Parameter]

    /// A randomly initialised model (deterministic for `seed`).
    public init(config: TrainableModelConfig, seed: UInt64) {
        self.config = config
        var rng = TrainingRandom(seed: seed)
        var images: [Level: ImageEncoder] = [:]
        var texts: [Level: TextEncoder] = [:]
        if config.threeLevel {
            for level in Level.allCases {
                let l = level.rawValue
                images[level] = ImageEncoder(towerPrefix: "\(l)_visual_encoder.vision_model",
                                             headPrefix: "\(l)_image_projection", normPrefix: "\(l)_image_norm",
                                             config: config.vision, embedDim: config.embedDim, rng: &rng)
                texts[level] = TextEncoder(towerPrefix: "\(l)_text_encoder.text_model",
                                           headPrefix: "\(l)_text_projection", normPrefix: "\(l)_text_norm",
                                           config: config.text, embedDim: config.embedDim, rng: &rng)
            }
        } else {
            let image = ImageEncoder(towerPrefix: "visual_encoder.vision_model", headPrefix: "image_projection",
                                     normPrefix: "image_norm", config: config.vision, embedDim: config.embedDim, rng: &rng)
            let text = TextEncoder(towerPrefix: "text_encoder.text_model", headPrefix: "text_projection",
                                   normPrefix: "text_norm", config: config.text, embedDim: config.embedDim, rng: &rng)
            for level in Level.allCases {
                images[level] = image
                texts[level] = text
            }
        }
        imageEncoders = images
        textEncoders = texts
        var seen = Set<ObjectIdentifier>()
        var params: [Parameter] = []
        for level in Level.allCases {
            for p in images[level]!.parameters + texts[level]!.parameters where seen.insert(ObjectIdentifier(p)).inserted {
                params.append(p)
            }
        }
        parameters = params
    }

    /// Parameters by name.
    public var parametersByName: [String: Parameter] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
    }

    /// Freezes the embeddings (when `embeddings`) and the first `visionLayers` / `textLayers` layers of every
    /// tower, as the reference's `freeze_vision_layers` / `freeze_text_layers` do.
    public func freeze(visionLayers: Int, textLayers: Int, embeddings: Bool) {
        var seen = Set<ObjectIdentifier>()
        for level in Level.allCases {
            let image = imageEncoders[level]!, text = textEncoders[level]!
            guard seen.insert(ObjectIdentifier(image)).inserted else { continue }
            if embeddings {
                image.tower.embeddingParameters.forEach { $0.trainable = false }
                text.tower.embeddingParameters.forEach { $0.trainable = false }
            }
            for layer in image.tower.layers.prefix(visionLayers) { layer.parameters.forEach { $0.trainable = false } }
            for layer in text.tower.layers.prefix(textLayers) { layer.parameters.forEach { $0.trainable = false } }
        }
    }

    /// Freezes every parameter of the towers that serve only levels outside `trained` (three-level models;
    /// a one-level model's towers serve every level and stay as they are).
    public func freeze(levelsOtherThan trained: Set<Level>) {
        guard config.threeLevel else { return }
        for level in Level.allCases where !trained.contains(level) {
            (imageEncoders[level]!.parameters + textEncoders[level]!.parameters).forEach { $0.trainable = false }
        }
    }

    /// The parameters of every vision tower's layers from index `first` up.
    public func visionLayerParameters(from first: Int) -> [Parameter] {
        var seen = Set<ObjectIdentifier>()
        return Level.allCases.flatMap { level -> [Parameter] in
            let tower = imageEncoders[level]!.tower
            guard seen.insert(ObjectIdentifier(tower)).inserted else { return [] }
            return tower.layers.dropFirst(first).flatMap(\.parameters)
        }
    }

    /// Makes every vision tower's layers from index `first` up identities: their attention `out_proj` and
    /// `mlp.fc2` weights and biases become zero, so each layer adds nothing to the residual stream until it is
    /// trained (the other weights keep their random initialisation, so the zeroed ones get gradients at once).
    /// Used to grow a trained model deeper without changing what it computes.
    public func makeVisionLayersIdentity(from first: Int) {
        var seen = Set<ObjectIdentifier>()
        for level in Level.allCases {
            let tower = imageEncoders[level]!.tower
            guard seen.insert(ObjectIdentifier(tower)).inserted else { continue }
            for layer in tower.layers.dropFirst(first) {
                for p in layer.attention.outProj.parameters + layer.fc2.parameters {
                    p.value = [Float](repeating: 0, count: p.count)
                }
            }
        }
    }

    /// Number of scalar parameters (all / trainable only).
    public var parameterCount: (total: Int, trainable: Int) {
        (parameters.reduce(0) { $0 + $1.count }, parameters.filter(\.trainable).reduce(0) { $0 + $1.count })
    }

    /// Copies every parameter value from `other` (same config).
    public func copyValues(from other: TrainableModel) {
        precondition(other.parameters.count == parameters.count, "models differ")
        for (a, b) in zip(parameters, other.parameters) { a.value = b.value }
    }

    /// Embeds preprocessed images `[n, 3, S, S]` at `level`: `[n, embedDim]` (raw head output).
    public func embedImages(_ pixels: [Float], count: Int, level: Level) -> [Float] {
        imageEncoders[level]!.forward(pixels, count: count, train: false)
    }

    /// Embeds token ids `[n, tokens]` at `level`: `[n, embedDim]`.
    public func embedTexts(_ ids: [Int32], count: Int, tokens: Int, level: Level) -> [Float] {
        textEncoders[level]!.forward(ids, count: count, tokens: tokens, train: false)
    }
}
