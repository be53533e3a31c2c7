import ScenarioModel

/// One training batch: preprocessed images and token ids per level, plus how many objects and relations
/// each scene contributed (objects and relations are flattened scene by scene, in order).
public struct TrainingBatch: Sendable {
    /// Image side `S` of every image.
    public var imageSize: Int
    /// Token positions per text.
    public var tokens: Int
    /// Pixels per level, `[count(level), 3, S, S]`.
    public var pixels: [Level: [Float]]
    /// Token ids per level, `[count(level), tokens]`, padded with the end-of-text id.
    public var ids: [Level: [Int32]]
    /// Objects per scene (sums to the object count).
    public var objectsPerScene: [Int]
    /// Relations per scene (sums to the relation count).
    public var relationsPerScene: [Int]

    public init(imageSize: Int, tokens: Int, pixels: [Level: [Float]], ids: [Level: [Int32]], objectsPerScene: [Int],
                relationsPerScene: [Int]) {
        self.imageSize = imageSize
        self.tokens = tokens
        self.pixels = pixels
        self.ids = ids
        self.objectsPerScene = objectsPerScene
        self.relationsPerScene = relationsPerScene
    }

    /// Scenes in the batch.
    public var sceneCount: Int { objectsPerScene.count }

    /// Items at `level`.
    public func count(_ level: Level) -> Int {
        switch level {
        case .global: sceneCount
        case .object: objectsPerScene.reduce(0, +)
        case .relation: relationsPerScene.reduce(0, +)
        }
    }
}

extension TrainingBatch {
    /// A batch of random pixels and random token ids (for throughput measurements): `scenes` scenes with
    /// `objects` objects and `relations` relations each, texts of 3–6 tokens.
    public static func random(config: TrainableModelConfig, scenes: Int, objects: Int, relations: Int,
                              seed: UInt64) -> TrainingBatch {
        var rng = TrainingRandom(seed: seed)
        let s = config.vision.imageSize, c = min(config.text.maxPositionEmbeddings, 16)
        let vocab = UInt64(max(config.text.vocabSize - 2, 2))
        var pixels: [Level: [Float]] = [:], ids: [Level: [Int32]] = [:]
        for (level, n) in [(Level.global, scenes), (.object, scenes * objects), (.relation, scenes * relations)] {
            pixels[level] = rng.normals(count: n * 3 * s * s, std: 1)
            var t = [Int32]()
            for _ in 0..<n {
                var row: [Int32] = [Int32(config.text.vocabSize - 2)]
                for _ in 0..<(3 + Int(rng.next() % 4)) { row.append(Int32(rng.next() % vocab)) }
                row = Array(row.prefix(c - 1)) + [Int32(config.text.vocabSize - 1)]
                t += row + Array(repeating: Int32(config.text.vocabSize - 1), count: c - row.count)
            }
            ids[level] = t
        }
        return TrainingBatch(imageSize: s, tokens: c, pixels: pixels, ids: ids,
                             objectsPerScene: Array(repeating: objects, count: scenes),
                             relationsPerScene: Array(repeating: relations, count: scenes))
    }
}
