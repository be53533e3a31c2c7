import Foundation
import Imaging
import Scenes
import Testing

@testable import SceneImport

@Suite struct ImportRuleTests {
    func object(_ name: String, _ x1: Int, _ y1: Int, _ x2: Int, _ y2: Int) -> SceneObject {
        SceneObject(name: name, box: PixelBox(x1: x1, y1: y1, x2: x2, y2: y2))
    }

    @Test func actionRules() {
        let man = object("man", 0, 0, 10, 10), horse = object("horse", 5, 5, 50, 50), hat = object("hat", 0, 0, 2, 2)
        let scene = ImportedScene(
            id: "1", picture: "p", objects: [man, horse, hat],
            relations: [.init(subject: hat, predicate: "on", object: man), .init(subject: man, predicate: "riding", object: horse)],
            caption: "  A Man riding.  ")
        #expect(ActionSource.relation.action(of: scene) == "man riding horse")
        #expect(ActionSource.caption.action(of: scene) == "a man riding")
        #expect(ActionSource.object.action(of: scene) == "horse")
        let bare = ImportedScene(id: "2", picture: "p", objects: [hat], relations: [])
        #expect(ActionSource.relation.action(of: bare) == "hat")
        #expect(ActionSource.caption.action(of: bare) == "hat")
        #expect(ActionSource.relation.action(of: ImportedScene(id: "3", picture: "p", objects: [], relations: [])) == nil)
    }

    @Test func namesAreLowerCasedWithSingleSpaces() {
        #expect(Names.normalized("  ON  Top\tof ") == "on top of")
        #expect(Names.normalized("not_contacting", underscoresAsSpaces: true) == "not contacting")
    }

    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("import-rule-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func badFieldsNameFileRecordAndField() throws {
        let coco = try write("""
            {"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 3, "name": "cat"}],
             "annotations": [{"id": 9, "image_id": 1, "category_id": 3, "bbox": [1, 2, "w", 4], "iscrowd": 0}]}
            """)
        defer { try? FileManager.default.removeItem(at: coco) }
        #expect(throws: SceneImportError.badField(file: coco.path, record: "annotation 9 (image 1)", field: "bbox",
                                                  detail: "expected 4 numbers, found a string among them")) {
            _ = try COCOImporter.scenes(instances: coco, captions: nil)
        }
        let unknown = try write("""
            {"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 3, "name": "cat"}],
             "annotations": [{"id": 9, "image_id": 1, "category_id": 4, "bbox": [1, 2, 3, 4], "iscrowd": 0}]}
            """)
        defer { try? FileManager.default.removeItem(at: unknown) }
        #expect(throws: SceneImportError.badField(file: unknown.path, record: "annotation 9 (image 1)", field: "category_id",
                                                  detail: "no category has id 4")) {
            _ = try COCOImporter.scenes(instances: unknown, captions: nil)
        }
        let huge = try write("""
            {"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 3, "name": "cat"}],
             "annotations": [{"id": 9, "image_id": 1, "category_id": 3, "bbox": [1e300, 2, 3, 4], "iscrowd": 0}]}
            """)
        defer { try? FileManager.default.removeItem(at: huge) }
        #expect(throws: SceneImportError.self) { _ = try COCOImporter.scenes(instances: huge, captions: nil) }
        let psg = try write("""
            {"data": [{"image_id": "5", "file_name": "x.jpg", "annotations": [{"bbox": [0, 0, 4, 4], "category_id": 0}],
                       "relations": [[0, 3, 0]]}],
             "thing_classes": ["a"], "stuff_classes": [], "predicate_classes": ["on"]}
            """)
        defer { try? FileManager.default.removeItem(at: psg) }
        #expect(throws: SceneImportError.badField(file: psg.path, record: "image 5", field: "relations[0][1]",
                                                  detail: "object index 3 is outside the 1 annotations")) {
            _ = try OpenPSGImporter.scenes(psg: psg)
        }
    }

    @Test func streamReportsTruncatedAndBrokenElements() throws {
        let truncated = try write("[{\"image_id\": 1, \"objects\": []}, {\"image_id\": 2, \"obj")
        defer { try? FileManager.default.removeItem(at: truncated) }
        var stream = try JSONArrayStream(url: truncated)
        #expect(try stream.next() != nil)
        #expect(throws: SceneImportError.malformed(file: truncated.path, detail: "element 1 of the top-level array is not complete (the file ends inside it)")) {
            _ = try stream.next()
        }
        let escaped = try write(" [ {\"a\": \"x\\\"]}\"} , 2 ]")
        defer { try? FileManager.default.removeItem(at: escaped) }
        var s2 = try JSONArrayStream(url: escaped)
        #expect((try s2.next() as? [String: Any])?["a"] as? String == "x\"]}")
        #expect((try s2.next() as? NSNumber)?.intValue == 2)
        #expect(try s2.next() == nil)
        // Members found without parsing: only at the top level of the element, numbers and plain strings.
        let members = try write("[{\"subject\": {\"image_id\": 5}, \"image_id\": 42, \"id\": \"a b\"}]")
        defer { try? FileManager.default.removeItem(at: members) }
        var s3 = try JSONArrayStream(url: members)
        let range = try #require(try s3.nextRange())
        #expect(s3.memberText("image_id", in: range) == "42")
        #expect(s3.memberText("id", in: range) == "a b")
        #expect(s3.memberText("subject", in: range) == nil)
        let notArray = try write("{}")
        defer { try? FileManager.default.removeItem(at: notArray) }
        #expect(throws: SceneImportError.malformed(file: notArray.path, detail: "expected a JSON array at the top")) {
            _ = try JSONArrayStream(url: notArray)
        }
    }
}
