import Foundation
import Imaging
import ScenarioModel

/// A scene dataset decoded, resized and tokenised once for training (images as `uint8` HWC at the model's
/// input size; the global images also at a larger source size for random resized crops).
///
/// Stored as safetensors: `global_eval`, `global_source`, `object_pixels`, `relation_pixels` (U8),
/// `action_ids`, `object_ids`, `relation_ids`, `objects_per_scene`, `relations_per_scene`, `split`, `unseen`,
/// `action_class`, `object_class`, `relation_class`, `*_class_ids` (I32); class names in the metadata.
public struct PreparedDataset: Sendable {
    /// Model input side `S`.
    public var imageSize: Int
    /// Side of `globalSource` images.
    public var sourceSize: Int
    /// Token positions per text.
    public var context: Int
    /// How pictures became square inputs (metadata `fit`; absent means CLIP's centre crop).
    public var fit: ImageFit
    /// `[scenes, S, S, 3]` whole images preprocessed as for evaluation.
    public var globalEval: [UInt8]
    /// `[scenes, R, R, 3]` whole images at the source size (for train-time crops).
    public var globalSource: [UInt8]
    /// `[objects, S, S, 3]` object canvases; `[relations, S, S, 3]` focused regions.
    public var objectPixels: [UInt8]
    public var relationPixels: [UInt8]
    /// Token ids `[n, context]` per level.
    public var actionIds: [Int32]
    public var objectIds: [Int32]
    public var relationIds: [Int32]
    public var objectsPerScene: [Int]
    public var relationsPerScene: [Int]
    /// 0 train, 1 validation, 2 test, per scene.
    public var split: [Int]
    /// Whether the scene's composition is held out from training (generator's `unseen`).
    public var unseen: [Bool]
    /// Class index of each scene's action, each object, each relation.
    public var actionClass: [Int]
    public var objectClass: [Int]
    public var relationClass: [Int]
    /// Class names and their token ids `[classes, context]` per level.
    public var classNames: [Level: [String]]
    public var classIds: [Level: [Int32]]

    /// Offsets of each scene's first object and relation.
    public private(set) var objectOffsets: [Int] = []
    public private(set) var relationOffsets: [Int] = []

    public var sceneCount: Int { split.count }

    /// Scenes of a split (0 train, 1 validation, 2 test).
    public func scenes(inSplit s: Int) -> [Int] { (0..<sceneCount).filter { split[$0] == s } }

    /// Loads a prepared dataset file.
    public init(contentsOf url: URL) throws {
        let f = try TrainingTensorFile(contentsOf: url)
        func meta(_ k: String) throws -> Int {
            guard let v = f.metadata[k].flatMap(Int.init) else {
                throw TrainingError.malformedFile(path: url.path, reason: "metadata '\(k)' missing")
            }
            return v
        }
        imageSize = try meta("image_size")
        sourceSize = try meta("source_size")
        context = try meta("context")
        if let name = f.metadata["fit"] {
            guard let known = ImageFit(rawValue: name) else {
                throw TrainingError.malformedFile(path: url.path, reason: "metadata 'fit' is '\(name)'; expected center_crop or stretch")
            }
            fit = known
        } else {
            fit = .centerCrop
        }
        globalEval = try f.bytes("global_eval")
        globalSource = try f.bytes("global_source")
        objectPixels = try f.bytes("object_pixels")
        relationPixels = try f.bytes("relation_pixels")
        actionIds = try f.int32s("action_ids")
        objectIds = try f.int32s("object_ids")
        relationIds = try f.int32s("relation_ids")
        objectsPerScene = try f.int32s("objects_per_scene").map(Int.init)
        relationsPerScene = try f.int32s("relations_per_scene").map(Int.init)
        split = try f.int32s("split").map(Int.init)
        unseen = try f.int32s("unseen").map { $0 != 0 }
        actionClass = try f.int32s("action_class").map(Int.init)
        objectClass = try f.int32s("object_class").map(Int.init)
        relationClass = try f.int32s("relation_class").map(Int.init)
        guard let namesJSON = f.metadata["classes"]?.data(using: .utf8),
              let names = try JSONSerialization.jsonObject(with: namesJSON) as? [String: [String]]
        else { throw TrainingError.malformedFile(path: url.path, reason: "metadata 'classes' missing") }
        var cn: [Level: [String]] = [:], ci: [Level: [Int32]] = [:]
        for (level, key) in [(Level.global, "actions"), (.object, "objects"), (.relation, "relations")] {
            cn[level] = names[key] ?? []
            ci[level] = try f.int32s("\(key == "actions" ? "action" : key == "objects" ? "object" : "relation")_class_ids")
        }
        classNames = cn
        classIds = ci
        try validate(path: url.path)
    }

    /// Checks that every array agrees with the scene, object and relation counts.
    mutating func validate(path: String) throws {
        let n = sceneCount, s = imageSize, r = sourceSize, c = context
        let no = objectsPerScene.reduce(0, +), nr = relationsPerScene.reduce(0, +)
        let checks: [(String, Int, Int)] = [
            ("global_eval", globalEval.count, n * s * s * 3), ("global_source", globalSource.count, n * r * r * 3),
            ("object_pixels", objectPixels.count, no * s * s * 3), ("relation_pixels", relationPixels.count, nr * s * s * 3),
            ("action_ids", actionIds.count, n * c), ("object_ids", objectIds.count, no * c),
            ("relation_ids", relationIds.count, nr * c), ("objects_per_scene", objectsPerScene.count, n),
            ("relations_per_scene", relationsPerScene.count, n), ("unseen", unseen.count, n),
            ("action_class", actionClass.count, n), ("object_class", objectClass.count, no),
            ("relation_class", relationClass.count, nr),
        ]
        for (name, actual, expected) in checks where actual != expected {
            throw TrainingError.tensorMismatch(path: path, name: name, expected: "\(expected) elements", actual: "\(actual) elements")
        }
        var o = 0, q = 0
        objectOffsets = []
        relationOffsets = []
        for k in objectsPerScene { objectOffsets.append(o); o += k }
        for k in relationsPerScene { relationOffsets.append(q); q += k }
    }
}
