import EmbeddingCache
import Foundation
import Imaging
import ScenarioModel
import Scenes

/// One image input of a scene at one level: the whole picture, an object canvas, or a relation region,
/// with the content-derived cache key it is stored under.
public struct SceneItem: Sendable, Equatable {
    public var sceneID: String
    public var level: Level
    /// Object or relation index within the scene (0 for the global level).
    public var index: Int
    /// The file to decode (the scene image, or a focused-region file).
    public var file: URL
    /// What to cut from the decoded file.
    public var input: ImageInput
    public var key: ItemKey

    public init(sceneID: String, level: Level, index: Int, file: URL, input: ImageInput, key: ItemKey) {
        self.sceneID = sceneID
        self.level = level
        self.index = index
        self.file = file
        self.input = input
        self.key = key
    }

    /// The cache's name for this item's level.
    public var cacheLevel: CacheLevel { CacheLevel(level) }

    /// This item as the cache's item table stores it.
    public var datasetItem: DatasetItem { DatasetItem(sceneID: sceneID, level: cacheLevel, index: index, key: key) }

    /// Every item of `record`: its global image, each object canvas and each relation region.
    ///
    /// A relation with a focused-region file uses that file (`region:<hash>`); one without uses the union of its
    /// subject and object boxes on the scene image (`crop:<hash>:box`). A relation whose subject or object is
    /// not among the record's objects has no item (`scenarioclip check` reports it).
    /// - Parameter hash: content hash of a file (usually memoised by ``FileHasher``).
    public static func items(of record: SceneRecord, hash: (URL) throws -> ContentHash) throws -> [SceneItem] {
        let imageHash = try hash(record.imagePath)
        var items = [SceneItem(sceneID: record.id, level: .global, index: 0, file: record.imagePath, input: .full,
                               key: .image(imageHash))]
        for (index, object) in record.objects.enumerated() {
            let box = object.box
            items.append(SceneItem(sceneID: record.id, level: .object, index: index, file: record.imagePath,
                                   input: .object(box),
                                   key: .crop(imageHash, x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2)))
        }
        for (index, relation) in record.relations.enumerated() {
            if let region = relation.regionPath {
                items.append(SceneItem(sceneID: record.id, level: .relation, index: index, file: region,
                                       input: .focusedRegion(region), key: .region(try hash(region))))
            } else if let subject = record.subjectBox(of: relation), let object = record.objectBox(of: relation) {
                let union = subject.union(object)
                items.append(SceneItem(sceneID: record.id, level: .relation, index: index, file: record.imagePath,
                                       input: .relation(subject: subject, object: object),
                                       key: .crop(imageHash, x1: union.x1, y1: union.y1, x2: union.x2, y2: union.y2)))
            }
        }
        return items
    }
}

extension CacheLevel {
    /// The cache level of a model level (same names).
    public init(_ level: Level) {
        switch level {
        case .global: self = .global
        case .object: self = .object
        case .relation: self = .relation
        }
    }
}

extension Level {
    /// The model level of a cache level (same names).
    public init(_ level: CacheLevel) {
        switch level {
        case .global: self = .global
        case .object: self = .object
        case .relation: self = .relation
        }
    }
}
