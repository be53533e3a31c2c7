import Foundation
import Imaging
import Testing

@testable import Scenes

@Suite struct SceneDatasetLoadingTests {
    @Test func loadsTheFixtureInStableOrder() throws {
        let dataset = try SceneDataset.load(from: TestDataset.fixture, options: LoadOptions(checkImages: true))
        #expect(dataset.problems == [])
        #expect(dataset.records.map(\.id) == ["k1", "7", "d3"])
        #expect(dataset.metadataFiles.map(\.lastPathComponent) == ["metadata.json", "metadata_extra.json"])
        #expect(dataset.hasClassesFile)
        #expect(dataset.classes.objects == ["person", "cup", "dog", "ball", "grass", "book"])
        #expect(dataset.classes.relations.count == 4)

        let kitchen = try #require(dataset.record(id: "k1"))
        #expect(kitchen.imagePath.path == TestDataset.fixture.appendingPathComponent("images/kitchen.jpg").path)
        #expect(kitchen.action == "person holding a cup")
        #expect(kitchen.denseCaption == "a person in a kitchen holds a red cup")
        // Reference boxes are floats truncated toward zero.
        #expect(kitchen.objects == [
            SceneObject(name: "person", box: PixelBox(x1: 2, y1: 1, x2: 40, y2: 47)),
            SceneObject(name: "cup", box: PixelBox(x1: 10, y1: 8, x2: 30, y2: 40)),
        ])
        #expect(kitchen.declaredSplit == nil && kitchen.unseen == nil)
        #expect(kitchen.indexInFile == 0)

        let park = try #require(dataset.record(id: "7"))  // integer id in the JSON
        #expect(dataset.index(ofID: "7") == 1)
        #expect(park.declaredSplit == .test)
        #expect(park.unseen == true)
        #expect(park.relations.map(\.text) == ["dog chasing ball", "dog on grass"])
        #expect(park.relations[0].regionPath?.lastPathComponent == "park_0.jpg")
        #expect(park.subjectBox(of: park.relations[1]) == PixelBox(x1: 5, y1: 20, x2: 38, y2: 58))
        #expect(park.objectBox(of: park.relations[1]) == PixelBox(x1: 0, y1: 40, x2: 80, y2: 60))
        #expect(park.unionBox(of: park.relations[0]) == PixelBox(x1: 5, y1: 10, x2: 70, y2: 58))
        #expect(dataset.record(id: "missing") == nil)
    }

    @Test func loadsOneMetadataFileGivenDirectly() throws {
        let file = TestDataset.fixture.appendingPathComponent("metadata_extra.json")
        let dataset = try SceneDataset.load(from: file)
        #expect(dataset.records.map(\.id) == ["d3"])
        #expect(dataset.hasClassesFile)
    }

    @Test func acceptsAbsolutePaths() throws {
        let data = try TestDataset()
        defer { data.remove() }
        let absolute = data.root.appendingPathComponent("images/park.jpg").path
        try data.writeRecords([
            #"{"id": "a", "image_path": "\#(absolute)", "action": "dog chasing a ball", "objects": [], "relations": []}"#
        ])
        let dataset = try SceneDataset.load(from: data.root, options: LoadOptions(checkImages: true))
        #expect(dataset.problems == [])
        #expect(dataset.records[0].imagePath.path == absolute)
    }

    @Test func missingClassesFileIsAWarningAndClassesAreDerived() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.delete("classes.json")
        let dataset = try SceneDataset.load(from: data.root)
        #expect(!dataset.hasErrors)
        #expect(dataset.problems.map(\.severity) == [.warning])
        #expect(!dataset.hasClassesFile)
        #expect(dataset.classes.actions == ["dog chasing a ball", "person holding a cup"])
        #expect(dataset.classes.objects == ["ball", "cup", "dog", "grass", "person"])
    }

    @Test func folderWithoutMetadataIsAnError() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("scenes-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: ScenesError.self) { try SceneDataset.load(from: empty) }
        #expect(throws: ScenesError.self) { try SceneDataset.load(from: empty.appendingPathComponent("nope")) }
    }

    @Test func hundredThousandRecordsLoadWithoutTouchingImages() throws {
        // Image files do not exist: loading must not look at them unless asked.
        let data = try TestDataset()
        defer { data.remove() }
        let count = 2000
        let records = (0..<count).map {
            #"{"id": \#($0), "image_path": "missing/\#($0).jpg", "action": "person holding a cup", "objects": [["cup", [1, 2, 3, 4]]], "relations": [["missing/r\#($0).jpg", ["cup", "on", "cup"]]]}"#
        }
        try data.writeRecords(records)
        try data.delete("classes.json")
        let dataset = try SceneDataset.load(from: data.root)
        #expect(dataset.records.count == count)
        #expect(!dataset.hasErrors)
        let checked = try SceneDataset.load(from: data.root, options: LoadOptions(checkImages: true))
        #expect(checked.errors.count == 2 * count)
    }
}
