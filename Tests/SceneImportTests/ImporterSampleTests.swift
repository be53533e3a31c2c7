import Foundation
import Imaging
import Scenes
import Testing

@testable import SceneImport

/// Each format's hand-made sample (tools/make_import_fixtures.py) imported end to end: every record, object,
/// relation, action and split checked against expected.json computed in Python from the same source files, and
/// every region file checked to be the union of its relation's own boxes, cut from the picture.
@Suite struct ImporterSampleTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    struct Expected {
        struct Record {
            var id: String, picture: String, action: String, split: String?
            var objects: [SceneObject]
            var relations: [(s: String, p: String, o: String, sBox: PixelBox, oBox: PixelBox)]
        }
        var records: [Record]
        var top: [String: Any]

        init(_ folder: String) throws {
            let url = ImporterSampleTests.fixtures.appendingPathComponent(folder).appendingPathComponent("expected.json")
            top = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            func box(_ v: Any) -> PixelBox {
                let n = (v as! [NSNumber]).map(\.intValue)
                return PixelBox(x1: n[0], y1: n[1], x2: n[2], y2: n[3])
            }
            records = (top["records"] as! [[String: Any]]).map { r in
                Record(
                    id: r["id"] as! String, picture: r["picture"] as! String, action: r["action"] as! String,
                    split: r["split"] as? String,
                    objects: (r["objects"] as! [[Any]]).map { SceneObject(name: $0[0] as! String, box: box($0[1])) },
                    relations: (r["relations"] as! [[Any]]).map {
                        ($0[0] as! String, $0[1] as! String, $0[2] as! String, box($0[3]), box($0[4]))
                    })
            }
        }
    }

    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("import-tests-\(UUID().uuidString)", isDirectory: true)
    }

    /// Loads OUT with the project's loader and compares it with the expectation, regions included.
    func verify(_ out: URL, _ expected: Expected, pictureFolder: URL) throws {
        let dataset = try SceneDataset.load(from: out)
        try dataset.requireNoErrors()
        #expect(dataset.records.count == expected.records.count)
        for (got, want) in zip(dataset.records, expected.records) {
            #expect(got.id == want.id)
            #expect(got.imagePath.lastPathComponent == (want.picture as NSString).lastPathComponent)
            #expect(got.action == want.action)
            #expect(got.declaredSplit?.rawValue == want.split)
            #expect(got.objects == want.objects, "record \(want.id)")
            #expect(got.relations.count == want.relations.count, "record \(want.id)")
            let picture = try Picture.decode(contentsOf: got.imagePath)
            for (relation, w) in zip(got.relations, want.relations) {
                #expect(relation.subject == w.s && relation.predicate == w.p && relation.object == w.o)
                let union = (w.s == w.o ? w.sBox.union(w.oBox) : w.sBox.union(w.oBox)).clamped(width: picture.width, height: picture.height)
                let region = try #require(relation.regionPath, "record \(want.id): \(relation.text) has a region")
                #expect(region.path.hasPrefix(out.standardizedFileURL.path + "/regions/"))
                let image = try Picture.decode(contentsOf: region)
                #expect(image.width == union.width && image.height == union.height, "record \(want.id): \(relation.text)")
                // The region's pixels are the picture's (JPEG re-encoding: mean difference small).
                let crop = try picture.cropped(to: union)
                let diff = zip(image.pixels, crop.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
                #expect(Double(diff) / Double(max(1, crop.pixels.count)) < 6)
            }
        }
        // classes.json: the sorted sets of the records.
        #expect(dataset.classes == SceneClasses.derived(from: dataset.records))
        for record in dataset.records { #expect(dataset.classes.actions.contains(record.action)) }
    }

    @Test func cocoSample() throws {
        let root = Self.fixtures.appendingPathComponent("coco")
        let expected = try Expected("coco")
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let (scenes, crowd) = try COCOImporter.scenes(
            instances: root.appendingPathComponent("instances_val2017.json"), captions: root.appendingPathComponent("captions_val2017.json"))
        #expect(crowd == expected.top["crowd"] as! Int)
        let importer = try SceneImporter(output: out, sourceFile: "instances", options: .init(
            pictureFolders: [root.appendingPathComponent("val2017")], actionSource: .caption))
        try importer.add(scenes)
        let summary = try importer.finish()
        #expect(summary.missingPictures == expected.top["missing"] as! Int)
        #expect(summary.relations == 0)
        try verify(out, expected, pictureFolder: root)
        // Captions become the dense caption as written.
        let dataset = try SceneDataset.load(from: out)
        #expect(dataset.records[0].denseCaption == "A Man  playing with his dog.")
        // Picture paths outside OUT stay absolute.
        #expect(dataset.records[0].imageFile == root.appendingPathComponent("val2017/000000000139.jpg").standardizedFileURL.path)
    }

    @Test func openPSGSample() throws {
        let root = Self.fixtures.appendingPathComponent("openpsg")
        let expected = try Expected("openpsg")
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let scenes = try OpenPSGImporter.scenes(psg: root.appendingPathComponent("psg.json"))
        let importer = try SceneImporter(output: out, sourceFile: "psg", options: .init(
            pictureFolders: [root.appendingPathComponent("coco")], actionSource: .relation))
        try importer.add(scenes)
        let summary = try importer.finish()
        #expect(summary.regionsWritten == 4 && summary.regionsKept == 0 && summary.regionsOutside == 0)
        try verify(out, expected, pictureFolder: root)

        // Resume: a second run keeps every region already cut and writes the same metadata.
        let before = try Data(contentsOf: out.appendingPathComponent("metadata.json"))
        let again = try SceneImporter(output: out, sourceFile: "psg", options: .init(
            pictureFolders: [root.appendingPathComponent("coco")], actionSource: .relation))
        try again.add(scenes)
        let second = try again.finish()
        #expect(second.regionsWritten == 0 && second.regionsKept == 4)
        #expect(try Data(contentsOf: out.appendingPathComponent("metadata.json")) == before)

        // A region lost (or left empty by a crash) is cut again, the others kept.
        try FileManager.default.removeItem(at: out.appendingPathComponent("regions/872/1.jpg"))
        FileManager.default.createFile(atPath: out.appendingPathComponent("regions/872/2.jpg").path, contents: Data())
        let third = try SceneImporter(output: out, sourceFile: "psg", options: .init(
            pictureFolders: [root.appendingPathComponent("coco")], actionSource: .relation))
        try third.add(scenes)
        let resumed = try third.finish()
        #expect(resumed.regionsWritten == 2 && resumed.regionsKept == 2)
        try verify(out, expected, pictureFolder: root)
    }

    @Test func visualGenomeSampleStreamed() throws {
        let root = Self.fixtures.appendingPathComponent("visual-genome")
        let expected = try Expected("visual-genome")
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let importer = try SceneImporter(output: out, sourceFile: "objects", options: .init(
            pictureFolders: [root.appendingPathComponent("VG_100K"), root.appendingPathComponent("VG_100K_2")],
            actionSource: .relation, threads: 2))
        var batches = 0
        let leftOut = try VisualGenomeImporter.stream(
            imageData: root.appendingPathComponent("image_data.json"), objects: root.appendingPathComponent("objects.json"),
            relationships: root.appendingPathComponent("relationships.json")
        ) { batch in
            batches += 1
            try importer.add(batch)
        }
        #expect(batches == 1)
        #expect(leftOut == expected.top["left_out"] as! Int)
        let summary = try importer.finish()
        #expect(summary.missingPictures == expected.top["missing"] as! Int)
        try verify(out, expected, pictureFolder: root)
    }

    @Test func strictStopsAtAMissingPictureAndWritesNoMetadata() throws {
        let root = Self.fixtures.appendingPathComponent("coco")
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let (scenes, _) = try COCOImporter.scenes(instances: root.appendingPathComponent("instances_val2017.json"), captions: nil)
        let importer = try SceneImporter(output: out, sourceFile: "instances_val2017.json", options: .init(
            pictureFolders: [root.appendingPathComponent("val2017")], actionSource: .object, strict: true))
        #expect(throws: SceneImportError.missingPicture(file: "instances_val2017.json", record: "724", picture: "000000000724.jpg")) {
            try importer.add(scenes)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(!left.contains("metadata.json") && !left.contains { $0.hasPrefix(".metadata.json.partial") })
    }
}

extension ImporterSampleTests {
    @Test func actionGenomeSample() throws {
        let root = Self.fixtures.appendingPathComponent("action-genome")
        let expected = try Expected("action-genome")
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let (scenes, leftOut) = try ActionGenomeImporter.scenes(annotations: root.appendingPathComponent("annotations"))
        #expect(leftOut == expected.top["left_out"] as! Int)
        let importer = try SceneImporter(output: out, sourceFile: "person_bbox.pkl", options: .init(
            pictureFolders: [root.appendingPathComponent("frames")], actionSource: .relation))
        try importer.add(scenes)
        let summary = try importer.finish()
        #expect(summary.missingPictures == expected.top["missing"] as! Int)
        try verify(out, expected, pictureFolder: root)
        // Frame keys keep their folder: the picture is FRAMES/VIDEO.mp4/FRAME.png.
        let dataset = try SceneDataset.load(from: out)
        #expect(dataset.records[0].imagePath.deletingLastPathComponent().lastPathComponent.hasSuffix(".mp4"))
    }
}
