import Foundation
import Imaging
import Testing

@testable import Scenes

@Suite struct ReferenceDatasetWriterTests {
    private func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("writer-tests-\(UUID().uuidString)", isDirectory: true)
    }

    /// A writer killed before `finish` leaves `.metadata.json.partial-PID`; the next writer in the folder removes
    /// it, but not the partial file of a writer still running (here PID 1).
    @Test func partialFilesOfKilledWritersAreRemoved() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var dead: Int32 = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        let stale = out.appendingPathComponent(".metadata.json.partial-\(dead)")
        let running = out.appendingPathComponent(".metadata.json.partial-1")
        for url in [stale, running] { try Data("{\"data\": [".utf8).write(to: url) }
        var writer = try ReferenceDatasetWriter(directory: out)
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: running.path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("metadata.json").path))
    }

    @Test func writtenRecordsLoadBackEqual() throws {
        let source = try TestDataset()
        defer { source.remove() }
        let dataset = try SceneDataset.load(from: source.root)
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        var writer = try ReferenceDatasetWriter(directory: out)
        for record in dataset.records { try writer.append(record) }
        let summary = try writer.finish()
        #expect(summary.records == dataset.records.count)
        #expect(summary.classes == SceneClasses.derived(from: dataset.records))

        // Pictures live outside OUT, so their paths are written absolute and load back the same.
        let reloaded = try SceneDataset.load(from: out)
        #expect(reloaded.records.count == dataset.records.count)
        for (a, b) in zip(dataset.records, reloaded.records) {
            #expect(a.id == b.id && a.imageFile == b.imageFile && a.action == b.action && a.denseCaption == b.denseCaption)
            #expect(a.objects == b.objects && a.relations == b.relations)
            #expect(a.declaredSplit == b.declaredSplit && a.unseen == b.unseen)
        }
        #expect(reloaded.classes == summary.classes)
        #expect(reloaded.hasClassesFile)
    }

    @Test func pathsInsideTheFolderAreRelativeAndTextIsEscaped() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let record = SceneRecord(
            id: "q\"1", imageFile: out.appendingPathComponent("images/a.jpg").path, action: "person \"holding\" a\\cup",
            denseCaption: "line\nbreak\u{1}", objects: [SceneObject(name: "cup", box: PixelBox(x1: 1, y1: 2, x2: 3, y2: 4))],
            relations: [SceneRelation(subject: "person", predicate: "holding", object: "cup", regionFile: nil)],
            declaredSplit: .val, unseen: false, sourceFile: out, indexInFile: 0)
        var writer = try ReferenceDatasetWriter(directory: out)
        try writer.append(record)
        try writer.finish()
        let text = try String(contentsOf: out.appendingPathComponent("metadata.json"), encoding: .utf8)
        #expect(text.contains(#""image_path": "images/a.jpg""#))
        #expect(text.contains(#""dense_caption": "line\nbreak\u0001""#))
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let first = (parsed?["data"] as? [[String: Any]])?.first
        #expect(first?["id"] as? String == "q\"1")
        #expect(first?["action"] as? String == "person \"holding\" a\\cup")
        #expect(first?["split"] as? String == "val")
        #expect(first?["unseen"] as? Bool == false)
    }

    @Test func anUnfinishedWriterLeavesThePreviousMetadata() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let previous = Data("{\"data\": []}\n".utf8)
        try previous.write(to: out.appendingPathComponent("metadata.json"))
        var writer = try ReferenceDatasetWriter(directory: out)
        try writer.append(SceneRecord(id: "x", imageFile: "/nowhere.jpg", action: "a", objects: [], relations: [],
                                      sourceFile: out, indexInFile: 0))
        writer.abandon()
        #expect(try Data(contentsOf: out.appendingPathComponent("metadata.json")) == previous)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["metadata.json"])
    }
}

@Suite struct FocusedRegionTests {
    private func picture() -> RGBImage {
        // 8 × 6 picture whose pixel (x, y) holds (x, y, 7).
        var pixels: [UInt8] = []
        for y in 0..<6 { for x in 0..<8 { pixels += [UInt8(x), UInt8(y), 7] } }
        return RGBImage(width: 8, height: 6, pixels: pixels)
    }

    private func record(_ boxes: [(String, PixelBox)]) -> SceneRecord {
        SceneRecord(id: "r", imageFile: "/p.jpg", action: "a", objects: boxes.map { SceneObject(name: $0.0, box: $0.1) },
                    relations: [], sourceFile: URL(fileURLWithPath: "/"), indexInFile: 0)
    }

    @Test func regionIsTheUnionOfSubjectAndObjectBoxesLimitedToThePicture() throws {
        let scene = record([("person", PixelBox(x1: 1, y1: 1, x2: 3, y2: 2)), ("cup", PixelBox(x1: 5, y1: 3, x2: 20, y2: 4))])
        let relation = SceneRelation(subject: "person", predicate: "holding", object: "cup", regionFile: nil)
        let region = try #require(try FocusedRegion.image(of: relation, in: scene, picture: picture()))
        #expect(region.width == 7 && region.height == 3)  // x 1..<8 (clamped from 20), y 1..<4
        #expect(Array(region.pixels[0..<3]) == [1, 1, 7])
        #expect(Array(region.pixels.suffix(3)) == [7, 3, 7])
        let stranger = SceneRelation(subject: "dog", predicate: "on", object: "mat", regionFile: nil)
        #expect(try FocusedRegion.image(of: stranger, in: scene, picture: picture()) == nil)
    }

    @Test func aRegionOutsideThePictureIsAnError() {
        let scene = record([("person", PixelBox(x1: 10, y1: 10, x2: 12, y2: 12))])
        let relation = SceneRelation(subject: "person", predicate: "on", object: "person", regionFile: nil)
        #expect(throws: ImagingError.self) { try FocusedRegion.image(of: relation, in: scene, picture: picture()) }
    }
}
