import Foundation
import Imaging
import Testing
@testable import SceneGenerator

@Suite struct DatasetWriterTests {
    /// Reads `metadata.json`'s records as JSON objects.
    static func records(_ dir: URL) throws -> [[String: Any]] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("metadata.json")))
        let root = try #require(json as? [String: Any])
        return try #require(root["data"] as? [[String: Any]])
    }

    @Test func writesTheReferenceFormat() throws {
        let dir = temporaryDirectory("writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let g = try SceneGenerator(seed: 8, width: 128, height: 96)
        var calls = 0
        let summary = try DatasetWriter(directory: dir, quality: 80).write(g, count: 5, command: "test") { done, total in
            calls += 1
            #expect(total == 5 && done == calls)
        }
        #expect(summary.scenes == 5 && summary.train + summary.val + summary.test == 5)
        let recs = try Self.records(dir)
        #expect(recs.count == 5)
        var actions = Set<String>(), objects = Set<String>(), relations = Set<String>()
        for (i, r) in recs.enumerated() {
            let scene = try g.scene(at: i)
            #expect(r["id"] as? String == scene.id)
            #expect(r["action"] as? String == scene.action)
            #expect(r["split"] as? String == scene.split.rawValue)
            #expect(r["unseen"] as? Bool == scene.unseen)
            #expect(r["dense_caption"] as? String == scene.denseCaption)
            let imagePath = try #require(r["image_path"] as? String)
            let image = try JPEG.decode(contentsOf: dir.appendingPathComponent(imagePath))
            #expect(image.width == 128 && image.height == 96)
            actions.insert(scene.action)
            let objs = try #require(r["objects"] as? [[Any]])
            #expect(objs.count == scene.objects.count)
            for (o, expected) in zip(objs, scene.objects) {
                #expect(o[0] as? String == expected.name)
                let b = expected.box
                #expect(o[1] as? [Int] == [b.x1, b.y1, b.x2, b.y2])
                objects.insert(expected.name)
            }
            let rels = try #require(r["relations"] as? [[Any]])
            #expect(rels.count == scene.relations.count)
            for (k, rel) in rels.enumerated() {
                let path = try #require(rel[0] as? String)
                let triple = try #require(rel[1] as? [String])
                #expect(triple.joined(separator: " ") == scene.relations[k].triple.description)
                relations.insert(triple.joined(separator: " "))
                let region = try JPEG.decode(contentsOf: dir.appendingPathComponent(path))
                #expect(region.width == 128 && region.height == 96)
                // Outside the union box the region is black (up to JPEG ringing near its edge).
                let box = scene.regionBox(k)
                if box.x1 > 4 { #expect(region.pixels[(box.y1 * 128 + 1) * 3] < 8) }
            }
        }
        // classes.json lists exactly what the records use.
        let classesData = try Data(contentsOf: dir.appendingPathComponent("classes.json"))
        let classes = try #require(try JSONSerialization.jsonObject(with: classesData) as? [String: [String]])
        #expect(classes["actions"] == actions.sorted())
        #expect(classes["objects"] == objects.sorted())
        #expect(classes["relations"] == relations.sorted())
        let infoData = try Data(contentsOf: dir.appendingPathComponent("generator.json"))
        let info = try #require(try JSONSerialization.jsonObject(with: infoData) as? [String: Any])
        #expect(info["seed"] as? Int == 8 && info["width"] as? Int == 128 && info["quality"] as? Int == 80)
        let held = try #require(info["held_out"] as? [String: Any])
        #expect((held["triples"] as? [String])?.contains("ball under chair") == true)
    }

    @Test func refusesANonEmptyFolderUnlessForced() throws {
        let dir = temporaryDirectory("force")
        defer { try? FileManager.default.removeItem(at: dir) }
        let g = try SceneGenerator(seed: 1, width: 128, height: 96)
        try DatasetWriter(directory: dir).write(g, count: 2)
        #expect(throws: GeneratorError.outputNotEmpty(path: dir.path)) { try DatasetWriter(directory: dir) }
        let keep = dir.appendingPathComponent("notes.txt")
        try Data("mine".utf8).write(to: keep)
        try Data("{}".utf8).write(to: dir.appendingPathComponent("metadata_old.json"))
        try DatasetWriter(directory: dir, force: true).write(g, count: 1)
        #expect(try Self.records(dir).count == 1)
        #expect(FileManager.default.fileExists(atPath: keep.path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("metadata_old.json").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("images").path) == ["000000.jpg"])
    }

    @Test func refusesAFileAsOutput() throws {
        let file = temporaryDirectory("file")
        try Data().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(throws: GeneratorError.cannotWrite(path: file.path, reason: "it is a file, not a folder")) {
            try DatasetWriter(directory: file)
        }
    }
}
