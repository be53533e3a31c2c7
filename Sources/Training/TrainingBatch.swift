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
