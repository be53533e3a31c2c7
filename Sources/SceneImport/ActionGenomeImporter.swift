import Foundation
import Imaging
import Scenes
import Weights

/// Action Genome's `person_bbox.pkl` and `object_bbox_and_relationship.pkl` as scenes, one per frame.
///
/// Both pickles map a frame key `VIDEO.mp4/FRAME.png` (also the frame's path under `--frames`) to its annotation;
/// they hold numpy arrays, read by the project's restricted unpickler as data. The person is the first row of the
/// frame's `bbox` array (`[x1, y1, x2, y2]`; a frame with an empty array has no person). Each object entry with
/// `visible` true and a `bbox` `(x, y, w, h)` is an object named by its `class`; invisible ones are left out and
/// counted. Every predicate of its `attention_relationship`, `spatial_relationship` and `contacting_relationship`
/// lists, `_` written as a space, is a relation with the person as subject (left out and counted when the frame
/// has no person). `metadata.set` gives the split (`train`, or `test`). Frames come in sorted key order.
public enum ActionGenomeImporter {
    /// Reads both pickles from `annotations`; returns the scenes and the entries left out.
    public static func scenes(annotations: URL) throws -> (scenes: [ImportedScene], leftOut: Int) {
        let personURL = annotations.appendingPathComponent("person_bbox.pkl")
        let objectURL = annotations.appendingPathComponent("object_bbox_and_relationship.pkl")
        let persons = try dictionary(personURL), objects = try dictionary(objectURL)
        var scenes: [ImportedScene] = []
        var leftOut = 0
        let keys = persons.entries.compactMap { $0.key.stringKey }.sorted()
        for key in keys {
            let pf = SourceFields(file: personURL.path, record: key)
            guard let personEntry = persons[key]?.dictionary else { throw pf.fail("(frame)", "expected a dictionary") }
            var scene = ImportedScene(id: key, picture: key, objects: [], relations: [])
            var person: SceneObject?
            guard case .array(let boxes)? = personEntry["bbox"] else {
                throw pf.fail("bbox", "expected a numpy array, found \(personEntry["bbox"]?.summary ?? "nothing")")
            }
            if boxes.count > 0 {
                guard boxes.shape.count == 2, boxes.shape[1] == 4, let v = boxes.doubles else {
                    throw pf.fail("bbox", "expected an (N, 4) numeric array, found shape \(boxes.shape) of \(boxes.kind)")
                }
                let p = SceneObject(name: "person", box: try pf.boxXYXY(Array(v[0..<4]), "bbox"))
                person = p
                scene.objects.append(p)
            }
            let of = SourceFields(file: objectURL.path, record: key)
            guard let entries = objects[key] else {
                scenes.append(scene)
                continue
            }
            guard case .list(let list) = entries else { throw of.fail("(frame)", "expected a list of objects, found \(entries.summary)") }
            for (k, item) in list.items.enumerated() {
                let field = "[\(k)]"
                guard let o = item.dictionary else { throw of.fail(field, "expected a dictionary, found \(item.summary)") }
                if let set = o["metadata"]?.dictionary?["set"] {
                    guard case .string(let s) = set else { throw of.fail("\(field).metadata.set", "expected a string, found \(set.summary)") }
                    scene.split = s.lowercased().hasPrefix("test") ? .test : .train
                }
                let visible: Bool
                switch o["visible"] {
                case .bool(let b)?: visible = b
                case .int(let i)?: visible = i != 0
                case nil, .none?: visible = false
                case let other?: throw of.fail("\(field).visible", "expected a boolean, found \(other.summary)")
                }
                guard visible, let bbox = o["bbox"], !isNone(bbox) else { leftOut += 1; continue }
                guard case .string(let cls)? = o["class"] else { throw of.fail("\(field).class", "expected a string, found \(o["class"]?.summary ?? "nothing")") }
                let v = try numbers(bbox, of, "\(field).bbox")
                let object = SceneObject(name: Names.normalized(cls), box: try of.boxXYWH(v[0], v[1], v[2], v[3], "\(field).bbox"))
                scene.objects.append(object)
                for list in ["attention_relationship", "spatial_relationship", "contacting_relationship"] {
                    guard let value = o[list], !isNone(value) else { continue }
                    let items: [PickleValue]
                    switch value {
                    case .list(let l): items = l.items
                    case .tuple(let t): items = t
                    default: throw of.fail("\(field).\(list)", "expected a list of predicates, found \(value.summary)")
                    }
                    for p in items {
                        guard case .string(let text) = p else { throw of.fail("\(field).\(list)", "expected strings, found \(p.summary)") }
                        let predicate = Names.normalized(text, underscoresAsSpaces: true)
                        guard let person, !predicate.isEmpty else { leftOut += 1; continue }
                        scene.relations.append(.init(subject: person, predicate: predicate, object: object))
                    }
                }
            }
            scenes.append(scene)
        }
        return (scenes, leftOut)
    }

    static func isNone(_ value: PickleValue) -> Bool {
        if case .none = value { return true }
        return false
    }

    static func dictionary(_ url: URL) throws -> PickleDict {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url, options: .alwaysMapped)) } catch {
            throw SceneImportError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        let value: PickleValue
        do { value = try PickleValue.decode(bytes, source: url.path) } catch {
            throw SceneImportError.malformed(file: url.path, detail: "\(error)")
        }
        guard let d = value.dictionary else {
            throw SceneImportError.malformed(file: url.path, detail: "expected a dictionary of frames at the top, found \(value.summary)")
        }
        return d
    }

    /// Four numbers from a tuple, list or numpy array.
    static func numbers(_ value: PickleValue, _ f: SourceFields, _ field: String) throws -> [Double] {
        var out: [Double] = []
        switch value {
        case .tuple(let t): for v in t { out.append(try number(v, f, field)) }
        case .list(let l): for v in l.items { out.append(try number(v, f, field)) }
        case .array(let a): out = a.doubles ?? []
        default: break
        }
        guard out.count == 4 else { throw f.fail(field, "expected 4 numbers (x, y, w, h), found \(value.summary)") }
        return out
    }

    static func number(_ value: PickleValue, _ f: SourceFields, _ field: String) throws -> Double {
        switch value {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: throw f.fail(field, "expected a number, found \(value.summary)")
        }
    }
}
