import Foundation
import Imaging
import Scenes

/// Visual Genome's `image_data.json`, `objects.json` and `relationships.json` as scenes, streamed.
///
/// `image_data.json` gives each image's `url` (its file name is looked up in the picture folders, e.g. VG_100K
/// and VG_100K_2); the scenes are the entries of `objects.json` in file order, each object named by the first of
/// its `names` (or its `name`) with `x, y, w, h` made `[int(x), int(y), int(x + w), int(y + h)]`. The relations are
/// those of the image's entry in `relationships.json` (`subject`/`object` carry `names` or `name` and their own
/// box; one not among the image's objects, matched by `object_id`, is added to them); predicates are lower-cased
/// with white space made single spaces. Relations or objects whose name or predicate is empty are left out and
/// counted. Only one entry of each file is parsed at a time (the files are memory-mapped).
public enum VisualGenomeImporter {
    /// Scenes handed over per batch.
    public static let batchSize = 256

    /// Streams the files, handing each batch of scenes to `body`; `progress` gets the bytes of `objects.json`
    /// read and its size. Returns the entries left out.
    public static func stream(
        imageData: URL, objects: URL, relationships: URL,
        progress: (Int, Int) -> Void = { _, _ in },
        _ body: ([ImportedScene]) throws -> Void
    ) throws -> Int {
        var pictures: [String: String] = [:]
        var images = try JSONArrayStream(url: imageData)
        while let entry = try images.next() {
            let f = SourceFields(file: imageData.path, record: "element \(images.index - 1)")
            let image = try f.objectValue(entry, "(entry)")
            let id = try f.identifier(image["image_id"] ?? image["id"], image["image_id"] != nil ? "image_id" : "id")
            let url = try SourceFields(file: imageData.path, record: "image \(id)").string(image, "url")
            pictures[id] = (url as NSString).lastPathComponent
        }
        var relationsSource = try RelationshipIndex(url: relationships)
        var objectStream = try JSONArrayStream(url: objects)
        var batch: [ImportedScene] = []
        var leftOut = 0
        while let entry = try objectStream.next() {
            var f = SourceFields(file: objects.path, record: "element \(objectStream.index - 1)")
            let item = try f.objectValue(entry, "(entry)")
            let id = try f.identifier(item["image_id"] ?? item["id"], item["image_id"] != nil ? "image_id" : "id")
            f = SourceFields(file: objects.path, record: "image \(id)")
            guard let picture = pictures[id] else { throw f.fail("image_id", "\(id) is not in \(imageData.path)") }
            var scene = ImportedScene(id: id, picture: picture, objects: [], relations: [])
            var ids: [String: Int] = [:]
            for (k, o) in try f.array(item, "objects").enumerated() {
                guard let object = try readObject(o, f, "objects[\(k)]") else { leftOut += 1; continue }
                if let oid = object.id { ids[oid] = scene.objects.count }
                scene.objects.append(object.object)
            }
            if let relationEntry = try relationsSource.entry(for: id) {
                let rf = SourceFields(file: relationships.path, record: "image \(id)")
                let relationItem = try rf.objectValue(relationEntry, "(entry)")
                for (k, r) in try rf.array(relationItem, "relationships").enumerated() {
                    let field = "relationships[\(k)]"
                    let relation = try rf.objectValue(r, field)
                    let predicate = Names.normalized(try rf.string(relation, "predicate"))
                    guard let s = try readObject(relation["subject"], rf, "\(field).subject"),
                          let o = try readObject(relation["object"], rf, "\(field).object"), !predicate.isEmpty
                    else { leftOut += 1; continue }
                    for party in [s, o] where party.id.map({ ids[$0] == nil }) ?? !scene.objects.contains(party.object) {
                        if let oid = party.id { ids[oid] = scene.objects.count }
                        scene.objects.append(party.object)
                    }
                    scene.relations.append(.init(subject: s.object, predicate: predicate, object: o.object))
                }
            }
            batch.append(scene)
            if batch.count >= batchSize {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
                progress(objectStream.position, objectStream.byteCount)
            }
        }
        if !batch.isEmpty { try body(batch) }
        progress(objectStream.byteCount, objectStream.byteCount)
        return leftOut
    }

    /// An object of `objects.json` or a relation's subject/object; `nil` when its name is empty.
    static func readObject(_ value: Any?, _ f: SourceFields, _ field: String) throws -> (id: String?, object: SceneObject)? {
        let o = try f.objectValue(value, field)
        let name: String
        if let names = o["names"] {
            guard let list = names as? [Any] else { throw f.fail("\(field).names", "expected an array, found \(SourceFields.kind(names))") }
            guard let first = list.first else { return nil }
            guard let s = first as? String else { throw f.fail("\(field).names[0]", "expected a string, found \(SourceFields.kind(first))") }
            name = s
        } else if let n = o["name"] {
            guard let s = n as? String else { throw f.fail("\(field).name", "expected a string, found \(SourceFields.kind(n))") }
            name = s
        } else {
            throw f.fail(field, "has neither names nor name")
        }
        let normalized = Names.normalized(name)
        guard !normalized.isEmpty else { return nil }
        func number(_ key: String) throws -> Double {
            guard let d = SourceFields.number(o[key]) else { throw f.fail("\(field).\(key)", "expected a number, found \(SourceFields.kind(o[key]))") }
            return d
        }
        let box = try f.boxXYWH(try number("x"), try number("y"), try number("w"), try number("h"), field)
        let id = try o["object_id"].map { try f.identifier($0, "\(field).object_id") }
        return (id, SceneObject(name: normalized, box: box))
    }
}

/// The entries of `relationships.json` by image id: read in step with `objects.json` (the published files list
/// the images in the same order); when an id is not the next entry's, the rest of the file is indexed once by
/// byte range (the `image_id` of each element found without parsing it), and entries are parsed when asked for,
/// so memory stays bounded either way.
struct RelationshipIndex {
    private var stream: JSONArrayStream
    /// The entry read ahead of the images asked for so far.
    private var ahead: (id: String, entry: Any)?
    private var rest: [String: (range: Range<Int>, element: Int)]?

    init(url: URL) throws { stream = try JSONArrayStream(url: url) }

    mutating func entry(for id: String) throws -> Any? {
        if let rest {
            if let held = ahead, held.id == id {
                ahead = nil
                return held.entry
            }
            guard let at = rest[id] else { return nil }
            return try stream.parse(at.range, element: at.element)
        }
        if ahead == nil, let next = try stream.next() { ahead = (try Self.id(of: next, stream, element: stream.index - 1), next) }
        if let held = ahead, held.id == id {
            ahead = nil
            return held.entry
        }
        // Out of step: index what is left by byte range.
        var all: [String: (range: Range<Int>, element: Int)] = [:]
        while let range = try stream.nextRange() {
            let element = stream.index - 1
            if let key = stream.memberText("image_id", in: range) ?? stream.memberText("id", in: range) {
                all[key] = (range, element)
            } else {
                let key = try Self.id(of: try stream.parse(range, element: element), stream, element: element)
                all[key] = (range, element)
            }
        }
        rest = all
        return try entry(for: id)
    }

    private static func id(of entry: Any, _ stream: JSONArrayStream, element: Int) throws -> String {
        let f = SourceFields(file: stream.url.path, record: "element \(element)")
        let item = try f.objectValue(entry, "(entry)")
        return try f.identifier(item["image_id"] ?? item["id"], item["image_id"] != nil ? "image_id" : "id")
    }
}
