/// One embeddable item of a dataset: a scene's image (global), one of its objects, or one of its
/// relations, and the key its vector is stored under.
public struct DatasetItem: Sendable, Hashable, Codable {
    /// Scene (record) id.
    public var sceneID: String
    public var level: CacheLevel
    /// Object or relation index within the scene (0 for the global level).
    public var index: Int
    public var key: ItemKey

    public init(sceneID: String, level: CacheLevel, index: Int, key: ItemKey) {
        self.sceneID = sceneID
        self.level = level
        self.index = index
        self.key = key
    }
}
