import Foundation
import Imaging
import Testing

@testable import Scenes

/// The fast metadata path must give exactly what the full Foundation path gives: same records, same
/// problems (file, record, id, field, line, column, message, severity), in the same order.
@Suite struct FastMetadataReaderTests {
    private func loadBothWays(_ url: URL, checkImages: Bool = false) throws -> (fast: SceneDataset, full: SceneDataset) {
        var full = LoadOptions(checkImages: checkImages)
        full.fastPath = false
        return (try SceneDataset.load(from: url, options: LoadOptions(checkImages: checkImages)),
                try SceneDataset.load(from: url, options: full))
    }

    private func expectSame(_ pair: (fast: SceneDataset, full: SceneDataset)) {
        #expect(pair.fast.records == pair.full.records)
        #expect(pair.fast.problems == pair.full.problems)
        #expect(pair.fast.classes == pair.full.classes)
    }

    /// Kinds of element the fast reader must either build identically or defer to the full validator.
    static let mixedRecords: [String] = [
        kitchenRecord(),
        kitchenRecord(id: "12"),
        kitchenRecord(id: "-3.0"),
        kitchenRecord(id: "1.5"),
        kitchenRecord(id: "\"\""),
        kitchenRecord(id: "\"k\\u00e9\""),
        kitchenRecord(id: "\"kä2\"", extra: #", "dense_caption": "caf\#u{e9} \#u{1F600}", "split": "val", "unseen": false"#),
        kitchenRecord(id: "\"k3\"", extra: #", "dense_caption": null, "split": null, "unseen": null, "other": {"x": [1, {"y": "]"}]}"#),
        kitchenRecord(id: "\"k4\"", extra: #", "split": "dev""#),
        kitchenRecord(id: "\"k5\"", extra: #", "unseen": 1"#),
        kitchenRecord(id: "\"k6\"", extra: #", "dense_caption": 3"#),
        kitchenRecord(id: "\"k7\"", objects: #"[["person", [2.9, 1e1, 4E1, 47.5]], ["cup", [10, 8, 30, 40]]]"#),
        kitchenRecord(id: "\"k8\"", objects: #"[["person", [40, 1, 2, 47]], ["cup", [10, 8, 10, 40]]]"#),
        kitchenRecord(id: "\"k9\"", objects: #"[["person", [2, 1, 40, 47, 5]], ["cup", [10, 8, 30, true]]]"#),
        kitchenRecord(id: "\"k10\"", objects: #"[["person", [2, 1, 40, 4e12]], ["cup", [-0, 8, 30, 40]]]"#),
        kitchenRecord(id: "\"k11\"", relations: #"[[null, ["person", "holding", "cup"]], ["r.jpg", ["person", "near", "cup"], ["x"]]]"#),
        kitchenRecord(id: "\"k12\"", relations: #"[["", ["person", "holding", "cup"]]]"#),
        kitchenRecord(id: "\"k13\"", relations: #"[["r.jpg", ["person", "holding", "mug"]]]"#),
        kitchenRecord(id: "\"k14\"", relations: "null"),
        kitchenRecord(id: "\"k1\""),  // duplicate id
        #"{"id": "k15", "id": "k16", "image_path": "images/kitchen.jpg", "action": "a", "objects": [], "relations": []}"#,
        #"{"id": "k17", "image_path": "/abs/p.jpg", "action": "", "objects": [], "relations": []}"#,
        #"{"id": "k18", "image_path": "images/x.jpg", "action": "person holding a cup", "objects": [], "relations": []}"#,
        #"{"id": "k19", "action": "x", "objects": [], "relations": []}"#,
        #"[1, 2]"#,
        #""just a string""#,
        #"17"#,
        #"null"#,
    ]

    @Test func fixtureLoadsTheSameBothWays() throws {
        expectSame(try loadBothWays(TestDataset.fixture, checkImages: true))
        expectSame(try loadBothWays(TestDataset.fixture.appendingPathComponent("metadata_extra.json")))
    }

    @Test func mixedRecordsGiveTheSameRecordsAndProblemsBothWays() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.writeRecords(Self.mixedRecords)
        let pair = try loadBothWays(data.root, checkImages: true)
        expectSame(pair)
        #expect(pair.fast.records.count > 5)
        #expect(pair.fast.problems.count > 15)
    }

    @Test func cleanRecordsAreBuiltAndTheRestDeferred() throws {
        let text = "{\"data\": [" + Self.mixedRecords.joined(separator: ",\n") + "]}"
        let folder = URL(fileURLWithPath: "/data")
        let file = folder.appendingPathComponent("metadata.json")
        let elements = try #require(FastMetadataReader.elements(of: Data(text.utf8), file: file, folder: folder))
        #expect(elements.count == Self.mixedRecords.count)
        let built = elements.enumerated().compactMap { index, element -> Int? in
            if case .record = element { return index }
            return nil
        }
        // Clean: plain, integer ids (12, -3.0), unicode + declared split, nulls + unknown member, float and
        // exponent boxes, null region + negatives, the duplicate id (a cross-record check), the empty action
        // with an absolute path and k18 (label and file checks come later, on built records too).
        #expect(built == [0, 1, 2, 6, 7, 11, 15, 19, 21, 22])
        guard case .record(let record) = elements[2] else { return }
        #expect(record.id == "-3")
        #expect(record.imagePath.path == "/data/images/kitchen.jpg")
        #expect(record.relations.first?.regionPath?.path == "/data/regions/kitchen_0.jpg")
    }

    @Test func syntaxErrorsAreReportedTheSameBothWays() throws {
        let broken = [
            "{\"data\": [\n {\"id\": 1,\n  \"x\": [1, 2,, 3]}\n]}",
            "{\"data\": [\n {\"id\": 1,\n  \"x\": [1, 2",
            "{\"data\": [" + kitchenRecord() + ", {\"id\": \"a\\q\"}]}",
            "{\"data\": [" + kitchenRecord() + ", {\"id\": [1}]}",
            "{\"data\": [" + kitchenRecord() + " " + kitchenRecord(id: "\"b\"") + "]}",
            "{\"data\": [" + kitchenRecord() + "]} x",
            "{\"data\": [01]}",
            "{\"data\": [" + kitchenRecord() + "], \"more\": 1}",
            "{\"more\": 1, \"data\": [" + kitchenRecord() + "]}",
            "{\"data\": {}}",
            "[" + kitchenRecord() + "]",
            "{\"data\": []}",
            "",
        ]
        for text in broken {
            let data = try TestDataset()
            defer { data.remove() }
            try data.write("metadata.json", text)
            let pair = try loadBothWays(data.root)
            expectSame(pair)
            #expect(pair.fast.records.map(\.id).contains("d3"), "the other file still loads")
        }
    }

    @Test func stopAtFirstProblemStopsAtTheSameProblem() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.writeRecords(Self.mixedRecords)
        var full = LoadOptions(stopAtFirstProblem: true)
        full.fastPath = false
        func firstProblems(_ options: LoadOptions) -> [DatasetProblem] {
            do {
                _ = try SceneDataset.load(from: data.root, options: options)
                return []
            } catch ScenesError.invalidDataset(let problems) {
                return problems
            } catch {
                return []
            }
        }
        let fast = firstProblems(LoadOptions(stopAtFirstProblem: true))
        #expect(fast.count == 1)
        #expect(fast == firstProblems(full))
    }
}
