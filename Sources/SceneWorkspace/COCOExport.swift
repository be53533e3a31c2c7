import Foundation
import Imaging
import Scenes

/// A COCO "instances" document of scene records (`scenarioclip dataset export --format coco`): one image per
/// scene, one annotation per object, one category per distinct object name.
///
/// Beyond the COCO fields, each image carries `scene_id` (the record's id) and `action`, each annotation
/// `object_index` (the object's position in its record), and the top-level `scene_relations` lists every
/// relation with the annotation ids of its subject and object (`null` when the record has no object of that
/// name). Tools that read plain COCO ignore these keys.
public struct COCOExport: Codable, Equatable, Sendable {
    public struct Image: Codable, Equatable, Sendable {
        public var id: Int
        /// The picture's absolute path.
        public var fileName: String
        public var width: Int
        public var height: Int
        public var sceneID: String
        public var action: String

        enum CodingKeys: String, CodingKey {
            case id, width, height, action
            case fileName = "file_name"
            case sceneID = "scene_id"
        }
    }

    public struct Annotation: Codable, Equatable, Sendable {
        public var id: Int
        public var imageID: Int
        public var categoryID: Int
        /// `[x, y, width, height]` in pixels: the object box `[x1, y1, x2, y2]` as `[x1, y1, x2 - x1, y2 - y1]`.
        public var bbox: [Int]
        /// `width × height` of the box.
        public var area: Int
        public var iscrowd: Int
        public var objectIndex: Int

        enum CodingKeys: String, CodingKey {
            case id, bbox, area, iscrowd
            case imageID = "image_id"
            case categoryID = "category_id"
            case objectIndex = "object_index"
        }
    }

    public struct Category: Codable, Equatable, Sendable {
        public var id: Int
        public var name: String
        public var supercategory: String
    }

    public struct Relation: Codable, Equatable, Sendable {
        public var imageID: Int
        public var subject: String
        public var predicate: String
        public var object: String
        public var subjectAnnotationID: Int?
        public var objectAnnotationID: Int?

        enum CodingKeys: String, CodingKey {
            case subject, predicate, object
            case imageID = "image_id"
            case subjectAnnotationID = "subject_annotation_id"
            case objectAnnotationID = "object_annotation_id"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(imageID, forKey: .imageID)
            try container.encode(subject, forKey: .subject)
            try container.encode(predicate, forKey: .predicate)
            try container.encode(object, forKey: .object)
            // Written as null rather than left out, so every relation has the same keys.
            try container.encode(subjectAnnotationID, forKey: .subjectAnnotationID)
            try container.encode(objectAnnotationID, forKey: .objectAnnotationID)
        }
    }

    public var images: [Image] = []
    public var annotations: [Annotation] = []
    public var categories: [Category] = []
    public var sceneRelations: [Relation] = []

    enum CodingKeys: String, CodingKey {
        case images, annotations, categories
        case sceneRelations = "scene_relations"
    }

    /// The document of `records`: image ids count from 1 in record order, annotation ids from 1 in object order,
    /// category ids from 1 over the sorted distinct object names. Picture sizes are read from each file's header.
    /// - Throws: ``SceneWorkspaceError/unreadablePicture(sceneID:path:reason:)`` naming the scene whose picture
    ///   cannot be read.
    public init(records: [SceneRecord], progress: SubsetWriter.Progress? = nil) throws {
        let names = Set(records.flatMap { $0.objects.map(\.name) }).sorted()
        var categoryIDs: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            categoryIDs[name] = i + 1
            categories.append(Category(id: i + 1, name: name, supercategory: "object"))
        }
        for (i, record) in records.enumerated() {
            let size: (width: Int, height: Int)
            do { size = try Picture.readSize(contentsOf: record.imagePath) } catch {
                throw SceneWorkspaceError.unreadablePicture(sceneID: record.id, path: record.imageFile, reason: "\(error)")
            }
            let imageID = i + 1
            images.append(Image(id: imageID, fileName: record.imageFile, width: size.width, height: size.height,
                                sceneID: record.id, action: record.action))
            let firstAnnotation = annotations.count + 1
            for (index, object) in record.objects.enumerated() {
                let box = object.box
                annotations.append(Annotation(
                    id: annotations.count + 1, imageID: imageID, categoryID: categoryIDs[object.name] ?? 0,
                    bbox: [box.x1, box.y1, box.width, box.height], area: box.width * box.height, iscrowd: 0,
                    objectIndex: index))
            }
            for relation in record.relations {
                sceneRelations.append(Relation(
                    imageID: imageID, subject: relation.subject, predicate: relation.predicate, object: relation.object,
                    subjectAnnotationID: record.objectIndex(named: relation.subject).map { firstAnnotation + $0 },
                    objectAnnotationID: record.objectIndex(named: relation.object).map { firstAnnotation + $0 }))
            }
            if i % 256 == 255 { progress?(i + 1, records.count) }
        }
        progress?(records.count, records.count)
    }

    /// Writes the document as JSON to the file `out` (refused when it exists and is not empty, unless `force`),
    /// through a temporary file beside it renamed into place.
    public func write(to out: URL, force: Bool) throws {
        try SubsetWriter.checkOutput(out, force: force)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try SubsetWriter.writeFile(try encoder.encode(self), to: out)
    }
}
