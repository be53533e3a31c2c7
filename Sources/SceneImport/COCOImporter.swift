import Foundation
import Imaging
import Scenes

/// COCO's `instances_*.json` (and optionally `captions_*.json`) as scenes.
///
/// Each entry of `images` is a scene (`id`, `file_name`); each entry of `annotations` with `iscrowd` 0 is an
/// object named by its category (`categories` ids are not contiguous, so they are looked up, never used as
/// indices) with `bbox` `[x, y, w, h]` made `[int(x), int(y), int(x + w), int(y + h)]`. Crowd boxes
/// (`iscrowd` 1, a region of many instances) are left out and counted. COCO has no relations; the first caption
/// of an image (in file order) is its caption. Images with no object are kept when they have a caption.
public enum COCOImporter {
    /// Reads the files and returns the scenes in the order of `images`.
    public static func scenes(instances: URL, captions: URL?) throws -> (scenes: [ImportedScene], crowd: Int) {
        let file = instances.path
        let top = try SourceJSON.topObject(instances)
        let header = SourceFields(file: file, record: "(top)")
        var names: [Int: String] = [:]
        for (i, entry) in try header.array(top, "categories").enumerated() {
            let f = SourceFields(file: file, record: "categories[\(i)]")
            let category = try f.objectValue(entry, "categories[\(i)]")
            names[try f.integer(category["id"], "id")] = Names.normalized(try f.string(category, "name"))
        }
        var order: [String] = []
        var byId: [String: ImportedScene] = [:]
        for (i, entry) in try header.array(top, "images").enumerated() {
            var f = SourceFields(file: file, record: "images[\(i)]")
            let image = try f.objectValue(entry, "images[\(i)]")
            let id = try f.identifier(image["id"], "id")
            f = SourceFields(file: file, record: "image \(id)")
            guard byId[id] == nil else { throw f.fail("id", "the image id appears twice") }
            order.append(id)
            byId[id] = ImportedScene(id: id, picture: try f.string(image, "file_name"), objects: [], relations: [])
        }
        var crowd = 0
        for (i, entry) in try header.array(top, "annotations").enumerated() {
            var f = SourceFields(file: file, record: "annotations[\(i)]")
            let annotation = try f.objectValue(entry, "annotations[\(i)]")
            let imageId = try f.identifier(annotation["image_id"], "image_id")
            if let id = annotation["id"] { f = SourceFields(file: file, record: "annotation \((try? f.identifier(id, "id")) ?? "?") (image \(imageId))") }
            guard byId[imageId] != nil else { throw f.fail("image_id", "no image has id \(imageId)") }
            if let c = annotation["iscrowd"], try f.integer(c, "iscrowd") != 0 {
                crowd += 1
                continue
            }
            let categoryId = try f.integer(annotation["category_id"], "category_id")
            guard let name = names[categoryId] else { throw f.fail("category_id", "no category has id \(categoryId)") }
            let b = try f.four(annotation["bbox"], "bbox")
            byId[imageId]!.objects.append(SceneObject(name: name, box: try f.boxXYWH(b[0], b[1], b[2], b[3], "bbox")))
        }
        if let captions {
            let cfile = captions.path
            let ctop = try SourceJSON.topObject(captions)
            for (i, entry) in try SourceFields(file: cfile, record: "(top)").array(ctop, "annotations").enumerated() {
                let f = SourceFields(file: cfile, record: "annotations[\(i)]")
                let annotation = try f.objectValue(entry, "annotations[\(i)]")
                let imageId = try f.identifier(annotation["image_id"], "image_id")
                let caption = try f.string(annotation, "caption")
                guard byId[imageId] != nil else { throw f.fail("image_id", "no image of \(file) has id \(imageId)") }
                if byId[imageId]!.caption == nil, !Names.normalized(caption).isEmpty { byId[imageId]!.caption = caption }
            }
        }
        return (order.map { byId[$0]! }, crowd)
    }
}
