import Foundation
import Imaging

/// One fix to a scene's annotation, made in the explorer or with `scenarioclip corrections add`, kept in the
/// dataset's cache database and never written into the source metadata.
///
/// Indices count from 0 in the record as it stands after the scene's earlier corrections (the order the
/// explorer shows): after deleting object 1, the object that was 2 is 1. Corrections of a scene are applied
/// in the order they were made (``SceneRecord/applying(_:)``), so a list replays to the same record every time.
public struct SceneCorrection: Sendable, Hashable {
    /// What the correction changes.
    public enum Change: Sendable, Hashable {
        /// The scene's action caption.
        case action(String)
        /// The class of object `index`; relations naming the object by its old class follow it (when no other
        /// object of the scene has the old class, since relations name objects by class).
        case objectClass(index: Int, name: String)
        /// The box of object `index`.
        case objectBox(index: Int, box: PixelBox)
        /// The triple of relation `index` (its region file is recut by `corrections apply`).
        case relation(index: Int, subject: String, predicate: String, object: String)
        /// Removes object `index` and the relations naming it (when no other object of the scene has its class).
        case deleteObject(index: Int)
        /// Removes relation `index`.
        case deleteRelation(index: Int)
        /// Appends an object (it gets the next index).
        case addObject(name: String, box: PixelBox)
    }

    /// The kind of a change, as stored in the cache's `kind` column and shown by `corrections list`.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case action
        case objectClass = "object-class"
        case objectBox = "object-box"
        case relation
        case deleteObject = "delete-object"
        case deleteRelation = "delete-relation"
        case addObject = "add-object"
    }

    /// Scene (record) id.
    public var sceneID: String
    public var change: Change
    /// The value replaced, as text (``valueText(of:)`` of the record before this correction); empty for an
    /// added object.
    public var oldValue: String
    /// When the correction was made.
    public var timestamp: Date

    public init(sceneID: String, change: Change, oldValue: String = "", timestamp: Date = Date()) {
        self.sceneID = sceneID
        self.change = change
        self.oldValue = oldValue
        self.timestamp = timestamp
    }

    /// A correction of `record` with its old value taken from the record as it stands (after its earlier
    /// corrections), checked first: indices in range, a non-empty box inside a `width × height` picture when
    /// the size is known, no empty names.
    /// - Throws: ``ScenesError/invalidCorrection(sceneID:reason:)``.
    public static func make(
        _ change: Change, for record: SceneRecord, pictureSize: (width: Int, height: Int)? = nil, timestamp: Date = Date()
    ) throws -> SceneCorrection {
        var correction = SceneCorrection(sceneID: record.id, change: change, timestamp: timestamp)
        try correction.check(against: record, pictureSize: pictureSize)
        correction.oldValue = correction.currentValue(in: record)
        if let unchanged = correction.unchangedField {
            throw ScenesError.invalidCorrection(sceneID: record.id, reason: "\(unchanged) is already \(correction.summaryValue(correction.oldValue))")
        }
        return correction
    }

    /// The field a correction would leave as it is (its new value equals ``oldValue``), or `nil`.
    var unchangedField: String? {
        guard newValue == oldValue else { return nil }
        switch change {
        case .action: return "the action"
        case .objectClass(let i, _): return "object \(i)'s class"
        case .objectBox(let i, _): return "object \(i)'s box"
        case .relation(let i, _, _, _): return "relation \(i)"
        case .deleteObject, .deleteRelation, .addObject: return nil
        }
    }

    /// A stored value as ``summary`` shows it: a box as `[x1, y1, x2, y2]`, a triple as its words, text quoted.
    func summaryValue(_ value: String) -> String {
        switch change {
        case .objectBox: return Self.parseBox(value)?.description ?? value
        case .relation: return "\"" + (Self.parseStrings(value)?.joined(separator: " ") ?? value) + "\""
        default: return "\"" + value + "\""
        }
    }

    // MARK: Fields as stored

    public var kind: Kind {
        switch change {
        case .action: .action
        case .objectClass: .objectClass
        case .objectBox: .objectBox
        case .relation: .relation
        case .deleteObject: .deleteObject
        case .deleteRelation: .deleteRelation
        case .addObject: .addObject
        }
    }

    /// Object or relation index the correction is about (0 for the action; the new index for an added object is
    /// not known without the record, so 0).
    public var index: Int {
        switch change {
        case .action, .addObject: 0
        case .objectClass(let i, _), .objectBox(let i, _), .relation(let i, _, _, _), .deleteObject(let i), .deleteRelation(let i): i
        }
    }

    /// The new value as text: the action or class name; a box as `x1,y1,x2,y2`; a triple as the JSON array
    /// `["subject","predicate","object"]`; an added object as `["name",[x1,y1,x2,y2]]`; empty for a deletion.
    public var newValue: String {
        switch change {
        case .action(let text): text
        case .objectClass(_, let name): name
        case .objectBox(_, let box): Self.boxText(box)
        case .relation(_, let s, let p, let o): Self.jsonArray([s, p, o])
        case .deleteObject, .deleteRelation: ""
        case .addObject(let name, let box): Self.objectText(SceneObject(name: name, box: box))
        }
    }

    /// Rebuilds a correction from its stored fields.
    /// - Throws: ``ScenesError/invalidCorrection(sceneID:reason:)`` for a value that does not parse.
    public init(sceneID: String, kind: Kind, index: Int, oldValue: String, newValue: String, timestamp: Date) throws {
        func fail(_ what: String) -> ScenesError {
            ScenesError.invalidCorrection(sceneID: sceneID, reason: "stored \(kind.rawValue) value \"\(newValue)\" is not \(what)")
        }
        let change: Change
        switch kind {
        case .action: change = .action(newValue)
        case .objectClass: change = .objectClass(index: index, name: newValue)
        case .objectBox:
            guard let box = Self.parseBox(newValue) else { throw fail("a box x1,y1,x2,y2") }
            change = .objectBox(index: index, box: box)
        case .relation:
            guard let parts = Self.parseStrings(newValue), parts.count == 3 else { throw fail("a JSON triple") }
            change = .relation(index: index, subject: parts[0], predicate: parts[1], object: parts[2])
        case .deleteObject: change = .deleteObject(index: index)
        case .deleteRelation: change = .deleteRelation(index: index)
        case .addObject:
            guard let object = Self.parseObject(newValue) else { throw fail("an object [\"name\",[x1,y1,x2,y2]]") }
            change = .addObject(name: object.name, box: object.box)
        }
        self.init(sceneID: sceneID, change: change, oldValue: oldValue, timestamp: timestamp)
    }

    /// A one-line description, e.g. `object 2 box [1, 2, 30, 40] → [5, 2, 30, 40]`.
    public var summary: String {
        switch change {
        case .action(let text): return "action \"\(oldValue)\" → \"\(text)\""
        case .objectClass(let i, let name): return "object \(i) class \"\(oldValue)\" → \"\(name)\""
        case .objectBox(let i, let box): return "object \(i) box \(Self.parseBox(oldValue)?.description ?? oldValue) → \(box)"
        case .relation(let i, let s, let p, let o):
            let old = Self.parseStrings(oldValue)?.joined(separator: " ") ?? oldValue
            return "relation \(i) \"\(old)\" → \"\(s) \(p) \(o)\""
        case .deleteObject(let i):
            return "delete object \(i) (\(Self.parseObject(oldValue).map { "\($0.name) \($0.box)" } ?? oldValue))"
        case .deleteRelation(let i):
            return "delete relation \(i) (\(Self.parseStrings(oldValue)?.joined(separator: " ") ?? oldValue))"
        case .addObject(let name, let box): return "add object \(name) \(box)"
        }
    }

    // MARK: Checking and applying

    /// Checks that the correction fits `record` (indices in range, names not empty, the box not empty and, when
    /// `pictureSize` is given, inside the picture).
    /// - Throws: ``ScenesError/invalidCorrection(sceneID:reason:)`` naming the scene and what is wrong.
    public func check(against record: SceneRecord, pictureSize: (width: Int, height: Int)? = nil) throws {
        func fail(_ reason: String) -> ScenesError { ScenesError.invalidCorrection(sceneID: record.id, reason: reason) }
        func object(_ i: Int) throws {
            guard record.objects.indices.contains(i) else {
                throw fail("object \(i) is out of range (the scene has \(record.objects.count) object\(record.objects.count == 1 ? "" : "s"), 0…\(record.objects.count - 1))")
            }
        }
        func relation(_ i: Int) throws {
            guard record.relations.indices.contains(i) else {
                throw fail("relation \(i) is out of range (the scene has \(record.relations.count) relation\(record.relations.count == 1 ? "" : "s"), 0…\(record.relations.count - 1))")
            }
        }
        func name(_ text: String, _ what: String) throws {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("the \(what) is empty") }
        }
        func box(_ b: PixelBox, _ what: String) throws {
            guard !b.isEmpty, b.x1 >= 0, b.y1 >= 0 else {
                throw fail("\(what) \(b) is empty or negative (x1 < x2 and y1 < y2, all ≥ 0)")
            }
            if let size = pictureSize, b.x2 > size.width || b.y2 > size.height {
                throw fail("\(what) \(b) lies outside the \(size.width)×\(size.height) picture")
            }
        }
        switch change {
        case .action(let text): try name(text, "action")
        case .objectClass(let i, let n): try object(i); try name(n, "class name")
        case .objectBox(let i, let b): try object(i); try box(b, "object \(i)'s box")
        case .relation(let i, let s, let p, let o):
            try relation(i); try name(s, "subject"); try name(p, "predicate"); try name(o, "object")
        case .deleteObject(let i): try object(i)
        case .deleteRelation(let i): try relation(i)
        case .addObject(let n, let b): try name(n, "class name"); try box(b, "the new object's box")
        }
    }

    /// The value this correction replaces in `record`, as text (see ``newValue``; a deleted object as
    /// `["name",[x1,y1,x2,y2]]`, a deleted relation as its JSON triple). Empty when the index is out of range.
    public func currentValue(in record: SceneRecord) -> String {
        let objects = record.objects, relations = record.relations
        switch change {
        case .action: return record.action
        case .objectClass(let i, _): return objects.indices.contains(i) ? objects[i].name : ""
        case .objectBox(let i, _): return objects.indices.contains(i) ? Self.boxText(objects[i].box) : ""
        case .deleteObject(let i): return objects.indices.contains(i) ? Self.objectText(objects[i]) : ""
        case .relation(let i, _, _, _), .deleteRelation(let i):
            guard relations.indices.contains(i) else { return "" }
            let r = relations[i]
            return Self.jsonArray([r.subject, r.predicate, r.object])
        case .addObject: return ""
        }
    }

    // MARK: Value texts

    static func boxText(_ box: PixelBox) -> String { "\(box.x1),\(box.y1),\(box.x2),\(box.y2)" }

    /// Parses `x1,y1,x2,y2` (integers; spaces and brackets allowed).
    public static func parseBox(_ text: String) -> PixelBox? {
        let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
            .split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let x1 = parts[0], let y1 = parts[1], let x2 = parts[2], let y2 = parts[3] else { return nil }
        return PixelBox(x1: x1, y1: y1, x2: x2, y2: y2)
    }

    static func objectText(_ object: SceneObject) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        ReferenceDatasetWriter.appendString(object.name, to: &out)
        let b = object.box
        out.append(contentsOf: Array(",[\(b.x1),\(b.y1),\(b.x2),\(b.y2)]]".utf8))
        return String(decoding: out, as: UTF8.self)
    }

    static func jsonArray(_ strings: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, s) in strings.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            ReferenceDatasetWriter.appendString(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    static func parseStrings(_ text: String) -> [String]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String]
    }

    static func parseObject(_ text: String) -> SceneObject? {
        guard let parts = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [Any], parts.count == 2,
              let name = parts[0] as? String, let numbers = parts[1] as? [NSNumber], numbers.count == 4
        else { return nil }
        let v = numbers.map(\.intValue)
        return SceneObject(name: name, box: PixelBox(x1: v[0], y1: v[1], x2: v[2], y2: v[3]))
    }
}

/// A record with its corrections applied, and where each of its objects and relations came from.
public struct CorrectedRecord: Sendable, Hashable {
    /// The corrected record.
    public var record: SceneRecord
    /// For each object of ``record``, its index in the uncorrected record (`nil` for an added object).
    public var objectOrigins: [Int?]
    /// For each relation of ``record``, its index in the uncorrected record.
    public var relationOrigins: [Int?]
    /// Indices (in ``record``) of the objects whose box was changed.
    public var movedObjects: Set<Int>
    /// Indices (in ``record``) of the relations whose triple was changed.
    public var changedRelations: Set<Int>

    /// `true` when relation `index`'s focused region (the union of the boxes it names) differs from the uncorrected
    /// one: an object box it is cut from moved, or its subject or object now names another object. A new
    /// predicate, or a rename that names the same objects, keeps the region.
    public func regionChanged(_ index: Int, original: SceneRecord) -> Bool {
        guard relationOrigins.indices.contains(index), let origin = relationOrigins[index] else { return true }
        let relation = record.relations[index]
        return record.unionBox(of: relation) != original.unionBox(of: original.relations[origin])
    }
}

extension SceneRecord {
    /// The record with `corrections` applied in order (those of other scenes are ignored).
    /// - Throws: ``ScenesError/invalidCorrection(sceneID:reason:)`` when a correction does not fit the record
    ///   as it stands (an index out of range: the metadata changed since the correction was made).
    public func applying(_ corrections: [SceneCorrection]) throws -> SceneRecord {
        try applyingTracked(corrections).record
    }

    /// The record with `corrections` applied in order, with the origin of every object and relation.
    /// - Throws: ``ScenesError/invalidCorrection(sceneID:reason:)``.
    public func applyingTracked(_ corrections: [SceneCorrection]) throws -> CorrectedRecord {
        var result = CorrectedRecord(record: self, objectOrigins: Array(objects.indices), relationOrigins: Array(relations.indices),
                                     movedObjects: [], changedRelations: [])
        for correction in corrections where correction.sceneID == id {
            try correction.check(against: result.record)
            switch correction.change {
            case .action(let text):
                result.record.action = text
            case .objectClass(let i, let name):
                let old = result.record.objects[i].name
                if result.record.objects.indices.allSatisfy({ $0 == i || result.record.objects[$0].name != old }) {
                    for j in result.record.relations.indices {
                        if result.record.relations[j].subject == old { result.record.relations[j].subject = name }
                        if result.record.relations[j].object == old { result.record.relations[j].object = name }
                    }
                }
                result.record.objects[i].name = name
            case .objectBox(let i, let box):
                result.record.objects[i].box = box
                result.movedObjects.insert(i)
            case .relation(let i, let s, let p, let o):
                result.record.relations[i].subject = s
                result.record.relations[i].predicate = p
                result.record.relations[i].object = o
                result.changedRelations.insert(i)
            case .deleteObject(let i):
                let old = result.record.objects[i].name
                if result.record.objects.indices.allSatisfy({ $0 == i || result.record.objects[$0].name != old }) {
                    for j in result.record.relations.indices.reversed()
                    where result.record.relations[j].subject == old || result.record.relations[j].object == old {
                        result.record.relations.remove(at: j)
                        result.relationOrigins.remove(at: j)
                        result.changedRelations = Set(result.changedRelations.compactMap { $0 == j ? nil : $0 > j ? $0 - 1 : $0 })
                    }
                }
                result.record.objects.remove(at: i)
                result.objectOrigins.remove(at: i)
                result.movedObjects = Set(result.movedObjects.compactMap { $0 == i ? nil : $0 > i ? $0 - 1 : $0 })
            case .deleteRelation(let i):
                result.record.relations.remove(at: i)
                result.relationOrigins.remove(at: i)
                result.changedRelations = Set(result.changedRelations.compactMap { $0 == i ? nil : $0 > i ? $0 - 1 : $0 })
            case .addObject(let name, let box):
                result.record.objects.append(SceneObject(name: name, box: box))
                result.objectOrigins.append(nil)
                result.movedObjects.insert(result.record.objects.count - 1)
            }
        }
        return result
    }
}
