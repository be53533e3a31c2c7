import Foundation
import Imaging

/// The fast path of ``DatasetLoader``: reads a metadata file `{"data": [record, …]}` with
/// ``FastJSONReader`` and builds the records that are entirely clean directly, without Foundation's
/// untyped values.
///
/// It never reports a problem itself. A record it cannot vouch for (anything unusual: a missing or mistyped
/// field, an empty or inverted box, a relation naming an unknown object, an escaped string, …) is handed back
/// as its byte range, which the loader parses with Foundation and validates exactly as before; when the file
/// as a whole is not in the plain shape (or its syntax is doubtful) the reader returns `nil` and the loader
/// reads the whole file the old way, so every problem is still reported with the same file, record, field,
/// line and column.
struct FastMetadataReader {
    /// One element of the `data` list.
    enum Element {
        /// A clean record, already built.
        case record(SceneRecord)
        /// Bytes of an element the loader must parse and validate itself.
        case deferred(Range<Int>)
    }

    /// The elements of `data`'s `data` list in order, or `nil` when the whole file must take the full path.
    static func elements(of data: Data, file: URL, folder: URL) -> [Element]? {
        data.withUnsafeBytes { raw -> [Element]? in
            var reader = FastJSONReader(bytes: raw)
            let builder = RecordBuilder(file: file, folder: folder)
            var elements: [Element] = []
            do {
                try reader.expect(UInt8(ascii: "{"))
                guard reader.peek() == UInt8(ascii: "\""), try reader.string() == "data" else { return nil }
                try reader.expect(UInt8(ascii: ":"))
                try reader.expect(UInt8(ascii: "["))
                var done = reader.peek() == UInt8(ascii: "]")
                if done { reader.position += 1 }
                while !done {
                    reader.skipWhitespace()
                    let start = reader.position
                    var record: SceneRecord?
                    if let node = try? reader.value() {
                        record = builder.record(from: node, index: elements.count)
                    } else {
                        reader.position = start
                        try reader.skipValue()
                    }
                    elements.append(record.map { .record($0) } ?? .deferred(start..<reader.position))
                    switch reader.peek() {
                    case UInt8(ascii: ","): reader.position += 1
                    case UInt8(ascii: "]"): reader.position += 1; done = true
                    default: return nil
                    }
                }
                try reader.expect(UInt8(ascii: "}"))
                guard reader.peek() == nil else { return nil }
            } catch {
                return nil
            }
            return elements
        }
    }

    /// Builds records from clean values; `nil` for anything the full validator would comment on.
    struct RecordBuilder {
        let file: URL
        let folder: URL

        /// Mirrors ``DatasetLoader/parseRecord(_:index:file:folder:)`` for a record without problems.
        func record(from node: FastJSONNode, index: Int) -> SceneRecord? {
            guard case .object = node else { return nil }
            let id: String
            switch node.member("id") {
            case .string(let text)? where !text.isEmpty: id = text
            case .number(let value)? where value.rounded() == value && abs(value) < 9e15: id = String(Int64(value))
            default: return nil
            }
            guard case .string(let imagePath)? = node.member("image_path"), !imagePath.isEmpty,
                case .string(let action)? = node.member("action")
            else { return nil }
            var denseCaption: String?
            switch node.member("dense_caption") {
            case nil, .null?: break
            case .string(let text)?: denseCaption = text
            default: return nil
            }
            var split: SceneSplit?
            switch node.member("split") {
            case nil, .null?: break
            case .string(let text)?:
                guard let value = SceneSplit(rawValue: text) else { return nil }
                split = value
            default: return nil
            }
            var unseen: Bool?
            switch node.member("unseen") {
            case nil, .null?: break
            case .bool(let value)?: unseen = value
            default: return nil
            }
            guard case .array(let objectList)? = node.member("objects"),
                case .array(let relationList)? = node.member("relations"),
                let objects = Self.objects(objectList)
            else { return nil }
            guard let relations = relations(relationList, objects: objects) else { return nil }
            return SceneRecord(
                id: id, imagePath: DatasetLoader.resolve(imagePath, in: folder), action: action, denseCaption: denseCaption,
                objects: objects, relations: relations, declaredSplit: split, unseen: unseen,
                sourceFile: file, indexInFile: index)
        }

        private static func objects(_ list: [FastJSONNode]) -> [SceneObject]? {
            var objects: [SceneObject] = []
            objects.reserveCapacity(list.count)
            for entry in list {
                guard case .array(let pair) = entry, pair.count == 2, case .string(let name) = pair[0],
                    case .array(let numbers) = pair[1], numbers.count == 4
                else { return nil }
                var coordinates: [Double] = []
                coordinates.reserveCapacity(4)
                for number in numbers {
                    guard case .number(let value) = number, abs(value) < 1e9 else { return nil }
                    coordinates.append(value)
                }
                let box = PixelBox(truncating: coordinates)
                guard !box.isEmpty else { return nil }  // also inverted boxes
                objects.append(SceneObject(name: name, box: box))
            }
            return objects
        }

        private func relations(_ list: [FastJSONNode], objects: [SceneObject]) -> [SceneRelation]? {
            var relations: [SceneRelation] = []
            relations.reserveCapacity(list.count)
            for entry in list {
                guard case .array(let items) = entry, items.count == 2 || items.count == 3,
                    case .array(let triple) = items[1], triple.count == 3,
                    case .string(let subject) = triple[0], case .string(let predicate) = triple[1],
                    case .string(let object) = triple[2],
                    objects.contains(where: { $0.name == subject }), objects.contains(where: { $0.name == object })
                else { return nil }
                var region: URL?
                switch items[0] {
                case .null: break
                case .string(let path) where !path.isEmpty: region = DatasetLoader.resolve(path, in: folder)
                default: return nil
                }
                relations.append(SceneRelation(subject: subject, predicate: predicate, object: object, regionPath: region))
            }
            return relations
        }
    }
}
