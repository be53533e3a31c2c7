import Foundation
import Imaging
import Scenes

/// OpenPSG's `psg.json` as scenes.
///
/// Classes are `thing_classes` followed by `stuff_classes` (a `category_id` indexes that list), predicates are
/// `predicate_classes`. Each entry of `data` is a scene (`image_id`, `file_name`); its `annotations` are the objects
/// with `bbox` `[x1, y1, x2, y2]`; its `relations` are `[subject_index, object_index, predicate_index]` into the
/// annotations and `predicate_classes`. When the file has `test_image_ids`, the images listed there get the split
/// `test` and the others `train`.
public enum OpenPSGImporter {
    public static func scenes(psg: URL) throws -> [ImportedScene] {
        let file = psg.path
        let top = try SourceJSON.topObject(psg)
        let header = SourceFields(file: file, record: "(top)")
        func classList(_ key: String) throws -> [String] {
            try header.array(top, key).enumerated().map { i, v in
                guard let s = v as? String else { throw header.fail("\(key)[\(i)]", "expected a string, found \(SourceFields.kind(v))") }
                return Names.normalized(s)
            }
        }
        let classes = try classList("thing_classes") + classList("stuff_classes")
        let predicates = try classList("predicate_classes")
        var test = Set<String>()
        let declaresSplit = top["test_image_ids"] != nil
        if declaresSplit {
            for (i, v) in try header.array(top, "test_image_ids").enumerated() {
                test.insert(try header.identifier(v, "test_image_ids[\(i)]"))
            }
        }
        var scenes: [ImportedScene] = []
        var seen = Set<String>()
        for (i, entry) in try header.array(top, "data").enumerated() {
            var f = SourceFields(file: file, record: "data[\(i)]")
            let item = try f.objectValue(entry, "data[\(i)]")
            let id = try f.identifier(item["image_id"], "image_id")
            f = SourceFields(file: file, record: "image \(id)")
            guard seen.insert(id).inserted else { throw f.fail("image_id", "the image id appears twice") }
            var objects: [SceneObject] = []
            for (k, a) in try f.array(item, "annotations").enumerated() {
                let field = "annotations[\(k)]"
                let annotation = try f.objectValue(a, field)
                let c = try f.integer(annotation["category_id"], "\(field).category_id")
                guard classes.indices.contains(c) else {
                    throw f.fail("\(field).category_id", "\(c) is outside the \(classes.count) thing + stuff classes")
                }
                objects.append(SceneObject(name: classes[c], box: try f.boxXYXY(try f.four(annotation["bbox"], "\(field).bbox"), "\(field).bbox")))
            }
            var relations: [ImportedScene.Relation] = []
            for (k, r) in try f.array(item, "relations").enumerated() {
                let field = "relations[\(k)]"
                guard let triple = r as? [Any], triple.count == 3 else {
                    throw f.fail(field, "expected [subject_index, object_index, predicate_index], found \(SourceFields.kind(r))")
                }
                let s = try f.integer(triple[0], "\(field)[0]"), o = try f.integer(triple[1], "\(field)[1]")
                let p = try f.integer(triple[2], "\(field)[2]")
                guard objects.indices.contains(s) else { throw f.fail("\(field)[0]", "subject index \(s) is outside the \(objects.count) annotations") }
                guard objects.indices.contains(o) else { throw f.fail("\(field)[1]", "object index \(o) is outside the \(objects.count) annotations") }
                guard predicates.indices.contains(p) else { throw f.fail("\(field)[2]", "predicate index \(p) is outside the \(predicates.count) predicate classes") }
                relations.append(.init(subject: objects[s], predicate: predicates[p], object: objects[o]))
            }
            scenes.append(ImportedScene(id: id, picture: try f.string(item, "file_name"), objects: objects, relations: relations,
                                        split: declaresSplit ? (test.contains(id) ? .test : .train) : nil))
        }
        return scenes
    }
}
