import Foundation
import Imaging
import ScenarioModel
import Scenes
import Tokenizer

/// Input sizes of a prepared dataset.
public struct PreparationSizes: Sendable, Equatable {
    /// Model input side `S` (evaluation transform: shorter side → `S`, centre crop; or stretched, see `fit`).
    public var imageSize: Int
    /// Side of the global images kept for train-time random resized crops.
    public var sourceSize: Int
    /// Token positions per text.
    public var context: Int
    /// How pictures become square inputs (the same for the evaluation images and the sources).
    public var fit: ImageFit

    public init(imageSize: Int = 64, sourceSize: Int = 80, context: Int = 16, fit: ImageFit = .centerCrop) {
        self.imageSize = imageSize
        self.sourceSize = sourceSize
        self.context = context
        self.fit = fit
    }
}

extension PreparedDataset {
    /// Decodes, resizes and tokenises a scene dataset once, as `tools/prepare_training_data.py` does.
    ///
    /// Images follow the reference's evaluation transform (PIL bicubic, torchvision's size and crop rules; with
    /// `sizes.fit` = ``ImageFit/stretch``, the whole picture resized to a square instead): whole
    /// scenes at `S` and at the source size, object inputs as the black canvas with only the box kept, relation
    /// inputs from the focused-region file (or, without one, the union of the subject and object boxes). Texts
    /// are CLIP BPE ids truncated to `context` (end token kept) and padded with the end token. Splits are the
    /// records' declared ones, the rest the reference.s seeded split (``SceneDataset/splits(seed:)``).
    /// Scenes are prepared on `workers` threads; the result does not depend on the count.
    /// - Throws: ``TrainingError/invalidDataset(_:)`` naming the scene and field when a label is not among the
    ///   classes, a box has no pixel in the image, or an image cannot be decoded; the dataset's own validation
    ///   errors first.
    public static func prepare(
        _ dataset: SceneDataset, sizes: PreparationSizes = PreparationSizes(), tokenizer: CLIPTokenizer,
        workers: Int = 2, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> PreparedDataset {
        guard sizes.imageSize > 0, sizes.sourceSize > 0, sizes.context >= 2 else {
            throw TrainingError.invalidDataset("image size \(sizes.imageSize), source size \(sizes.sourceSize) and context \(sizes.context) must be positive (context ≥ 2)")
        }
        if let problem = dataset.errors.first {
            throw TrainingError.invalidDataset("\(dataset.errors.count) problem(s) in \(dataset.root.path); first: \(problem) (run `scenarioclip check`)")
        }
        guard !dataset.records.isEmpty else {
            throw TrainingError.invalidDataset("\(dataset.root.path) has no scenes")
        }
        let classes = dataset.classes
        let actionIndex = Dictionary(classes.actions.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let objectIndex = Dictionary(classes.objects.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let relationIndex = Dictionary(classes.relations.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var evalConfig = CLIPPreprocessConfig.openAICLIP, sourceConfig = CLIPPreprocessConfig.openAICLIP
        evalConfig.imageSize = sizes.imageSize
        sourceConfig.imageSize = sizes.sourceSize
        evalConfig.fit = sizes.fit
        sourceConfig.fit = sizes.fit
        let evalTransform = try CLIPPreprocessor(config: evalConfig)
        let sourceTransform = try CLIPPreprocessor(config: sourceConfig)
        let records = dataset.records
        let counter = ProgressCounter()

        // One scene → its pixels, ids and classes; scenes are independent, so they run on `workers` threads.
        let threads = max(1, min(workers, records.count))
        let slots = ParallelSlots<Result<PreparedScene, TrainingError>>(count: records.count)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: records.count, by: threads) {
                let record = records[index]
                do {
                    slots[index] = .success(try PreparedScene(
                        record: record, evalTransform: evalTransform, sourceTransform: sourceTransform,
                        actionIndex: actionIndex, objectIndex: objectIndex, relationIndex: relationIndex))
                } catch {
                    let reason = (error as? TrainingError).map { if case .invalidDataset(let r) = $0 { r } else { "\($0)" } } ?? "\(error)"
                    slots[index] = .failure(.invalidDataset(
                        "scene '\(record.id)' (\(record.sourceFile.lastPathComponent) record \(record.indexInFile)): \(reason)"))
                }
                progress?(counter.increment(), records.count)
            }
        }
        let prepared = try (0..<records.count).map { try slots[$0].get() }

        func ids(_ text: String) -> [Int32] { tokenizer.encode(text, contextLength: sizes.context) }
        var result = PreparedDataset(sizes: sizes, classes: classes)
        let splits = dataset.splits()
        for (index, scene) in prepared.enumerated() {
            let record = records[index]
            result.globalEval += scene.global
            result.globalSource += scene.source
            for pixels in scene.objects { result.objectPixels += pixels }
            for pixels in scene.relations { result.relationPixels += pixels }
            result.actionIds += ids(record.action)
            for object in record.objects { result.objectIds += ids(object.name) }
            for relation in record.relations { result.relationIds += ids(relation.text) }
            result.objectsPerScene.append(record.objects.count)
            result.relationsPerScene.append(record.relations.count)
            result.split.append(splits[index] == .train ? 0 : splits[index] == .val ? 1 : 2)
            result.unseen.append(record.unseen ?? false)
            result.actionClass.append(scene.actionClass)
            result.objectClass += scene.objectClasses
            result.relationClass += scene.relationClasses
        }
        result.classIds = [
            .global: classes.actions.flatMap(ids), .object: classes.objects.flatMap(ids),
            .relation: classes.relations.flatMap(ids),
        ]
        try result.validate(path: dataset.root.path)
        return result
    }

    /// Writes the prepared dataset in the format ``init(contentsOf:)`` reads (and the Python tool writes).
    public func write(to url: URL, source: String) throws {
        var file = TrainingTensorFile()
        let s = imageSize, r = sourceSize, c = context
        let objects = objectClass.count, relations = relationClass.count
        try file.set("global_eval", uint8s: globalEval, shape: [sceneCount, s, s, 3])
        try file.set("global_source", uint8s: globalSource, shape: [sceneCount, r, r, 3])
        try file.set("object_pixels", uint8s: objectPixels, shape: [objects, s, s, 3])
        try file.set("relation_pixels", uint8s: relationPixels, shape: [relations, s, s, 3])
        try file.set("action_ids", int32s: actionIds, shape: [sceneCount, c])
        try file.set("object_ids", int32s: objectIds, shape: [objects, c])
        try file.set("relation_ids", int32s: relationIds, shape: [relations, c])
        func i32(_ values: [Int]) -> [Int32] { values.map { Int32($0) } }
        try file.set("objects_per_scene", int32s: i32(objectsPerScene), shape: [sceneCount])
        try file.set("relations_per_scene", int32s: i32(relationsPerScene), shape: [sceneCount])
        try file.set("split", int32s: i32(split), shape: [sceneCount])
        try file.set("unseen", int32s: unseen.map { $0 ? 1 : 0 }, shape: [sceneCount])
        try file.set("action_class", int32s: i32(actionClass), shape: [sceneCount])
        try file.set("object_class", int32s: i32(objectClass), shape: [objects])
        try file.set("relation_class", int32s: i32(relationClass), shape: [relations])
        for (level, key) in [(Level.global, "action"), (.object, "object"), (.relation, "relation")] {
            let ids = classIds[level] ?? []
            try file.set("\(key)_class_ids", int32s: ids, shape: [ids.count / max(c, 1), c])
        }
        let names = ["actions": classNames[.global] ?? [], "objects": classNames[.object] ?? [],
                     "relations": classNames[.relation] ?? []]
        let namesJSON = try JSONSerialization.data(withJSONObject: names, options: [.sortedKeys])
        file.metadata = [
            "image_size": "\(s)", "source_size": "\(r)", "context": "\(c)",
            "classes": String(decoding: namesJSON, as: UTF8.self), "source": source,
        ]
        // Absent means CLIP's centre crop (files written before the fit existed, and the Python tool's default).
        if fit != .centerCrop { file.metadata["fit"] = fit.rawValue }
        try file.write(to: url)
    }

    /// An empty prepared dataset with these sizes and class names (filled by ``prepare(_:sizes:tokenizer:workers:progress:)``).
    init(sizes: PreparationSizes, classes: SceneClasses) {
        imageSize = sizes.imageSize
        sourceSize = sizes.sourceSize
        context = sizes.context
        fit = sizes.fit
        globalEval = []
        globalSource = []
        objectPixels = []
        relationPixels = []
        actionIds = []
        objectIds = []
        relationIds = []
        objectsPerScene = []
        relationsPerScene = []
        split = []
        unseen = []
        actionClass = []
        objectClass = []
        relationClass = []
        classNames = [.global: classes.actions, .object: classes.objects, .relation: classes.relations]
        classIds = [:]
    }
}

/// The prepared pixels and class indices of one scene.
private struct PreparedScene: Sendable {
    var global: [UInt8]
    var source: [UInt8]
    var objects: [[UInt8]]
    var relations: [[UInt8]]
    var actionClass: Int
    var objectClasses: [Int]
    var relationClasses: [Int]

    init(record: SceneRecord, evalTransform: CLIPPreprocessor, sourceTransform: CLIPPreprocessor,
         actionIndex: [String: Int], objectIndex: [String: Int], relationIndex: [String: Int]) throws {
        guard let action = actionIndex[record.action] else {
            throw TrainingError.invalidDataset("field 'action': '\(record.action)' is not among the classes' actions")
        }
        actionClass = action
        objectClasses = try record.objects.enumerated().map { index, object in
            guard let k = objectIndex[object.name] else {
                throw TrainingError.invalidDataset("field 'objects[\(index)]': '\(object.name)' is not among the classes' objects")
            }
            return k
        }
        relationClasses = try record.relations.enumerated().map { index, relation in
            guard let k = relationIndex[relation.text] else {
                throw TrainingError.invalidDataset("field 'relations[\(index)]': '\(relation.text)' is not among the classes' relations")
            }
            return k
        }
        let image = try Picture.decode(contentsOf: record.imagePath)
        global = try evalTransform.window(for: .full, of: image).pixels
        source = try sourceTransform.window(for: .full, of: image).pixels
        objects = try record.objects.enumerated().map { index, object in
            do { return try evalTransform.window(for: .object(object.box), of: image).pixels }
            catch { throw TrainingError.invalidDataset("field 'objects[\(index)]' box: \(error)") }
        }
        relations = try record.relations.enumerated().map { index, relation in
            let input: ImageInput
            if let region = relation.regionPath {
                input = .focusedRegion(region)
            } else if let subject = record.subjectBox(of: relation), let object = record.objectBox(of: relation) {
                input = .relation(subject: subject, object: object)
            } else {
                throw TrainingError.invalidDataset("field 'relations[\(index)]': no focused-region file and its subject or object is not among the scene's objects")
            }
            do { return try evalTransform.window(for: input, of: image).pixels }
            catch { throw TrainingError.invalidDataset("field 'relations[\(index)]': \(error)") }
        }
    }
}

/// A thread-safe count of finished scenes.
private final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
