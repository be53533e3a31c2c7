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
        let contents = try #require(FastMetadataReader.contents(of: Data(text.utf8), file: file, folder: folder))
        #expect(contents.count == Self.mixedRecords.count)
        let built = contents.records.map(\.indexInFile)
        // Clean: plain, integer ids (12, -3.0), unicode + declared split, nulls + unknown member, float and
        // exponent boxes, null region + negatives, the duplicate id (a cross-record check), the empty action
        // with an absolute path and k18 (label and file checks come later, on built records too).
        #expect(built == [0, 1, 2, 6, 7, 11, 15, 19, 21, 22])
        #expect(contents.deferred.map(\.index) == (0..<Self.mixedRecords.count).filter { !built.contains($0) })
        for element in contents.deferred {
            let bytes = Array(text.utf8)[element.range]
            #expect(String(decoding: bytes, as: UTF8.self) == Self.mixedRecords[element.index], "element \(element.index)")
        }
        let record = contents.records[2]
        #expect(record.id == "-3")
        #expect(record.imageFile == "/data/images/kitchen.jpg")
        #expect(record.imagePath == URL(fileURLWithPath: "/data/images/kitchen.jpg"))
        #expect(record.relations.first?.regionPath?.path == "/data/regions/kitchen_0.jpg")
        #expect(contents.records[3].denseCaption == "caf\u{e9} \u{1F600}")
        #expect(contents.records[3].declaredSplit == .val && contents.records[3].unseen == false)
        #expect(contents.records[5].objects.map(\.box) == [PixelBox(x1: 2, y1: 10, x2: 40, y2: 47), PixelBox(x1: 10, y1: 8, x2: 30, y2: 40)])
        #expect(contents.records[6].relations.map(\.regionFile) == [nil, "/data/r.jpg"])
        #expect(contents.records[8].imageFile == "/abs/p.jpg")
    }

    /// Records of a large file: plain ones, with a few that tempt the split guess (a `, {` inside a string and
    /// inside a nested unknown member) and a few the full validator must see.
    static func manyRecords(_ count: Int) -> [String] {
        (0..<count).map { i in
            switch i % 7 {
            case 3: return kitchenRecord(id: "\"m\(i)\"", extra: #", "dense_caption": "a, {b}, {c""#)
            case 4: return kitchenRecord(id: "\"m\(i)\"", extra: #", "other": [1, {"y": [2, {"z": 3}]}, {}]"#)
            case 5 where i % 3 == 0: return kitchenRecord(id: "\"m\(i)\"", objects: #"[["person", [40, 1, 2, 47]]]"#)
            default: return kitchenRecord(id: "\"m\(i)\"")
            }
        }
    }

    @Test func readingInHalvesGivesWhatOneReaderGives() throws {
        let folder = URL(fileURLWithPath: "/data")
        let file = folder.appendingPathComponent("metadata.json")
        let records = Self.manyRecords(60)
        let text = "{\"data\": [" + records.joined(separator: ",\n") + "]}"
        let bytes = Data(text.utf8)
        let whole = try #require(FastMetadataReader.contents(of: bytes, file: file, folder: folder))
        #expect(whole.count == 60 && whole.records.count > 40 && !whole.deferred.isEmpty)
        for size in [1, 64, 1000, bytes.count / 2, bytes.count - 10, bytes.count] {
            let halves = try #require(FastMetadataReader.contents(of: bytes, file: file, folder: folder, splitSize: size))
            #expect(halves.records == whole.records, "split size \(size)")
            #expect(halves.deferred.map(\.index) == whole.deferred.map(\.index))
            #expect(halves.deferred.map(\.range) == whole.deferred.map(\.range))
            #expect(halves.count == whole.count)
        }
    }

    @Test func everySplitGuessGivesTheSameRecords() throws {
        // Every byte of the list as the guessed middle: element starts (the second reader's work is used),
        // braces inside strings and nested members, blanks, the last element (it is not), all give the one
        // reader's result.
        let folder = URL(fileURLWithPath: "/data")
        let file = folder.appendingPathComponent("metadata.json")
        let text = "{\"data\": [" + Self.manyRecords(12).joined(separator: ",\n") + "]}"
        let bytes = Data(text.utf8)
        let whole = try #require(FastMetadataReader.contents(of: bytes, file: file, folder: folder))
        let first = "{\"data\": [".utf8.count
        var guessed = 0
        try bytes.withUnsafeBytes { raw in
            for guess in first..<raw.count {
                let halves = try #require(FastMetadataReader.readInHalves(raw, from: first, guess: guess, file: file, folderPath: "/data"))
                #expect(halves.records == whole.records, "guess \(guess)")
                #expect(halves.deferred.map(\.index) == whole.deferred.map(\.index))
                #expect(halves.deferred.map(\.range) == whole.deferred.map(\.range))
                if FastMetadataReader.splitGuess(in: raw, after: guess) == guess { guessed += 1 }
            }
        }
        #expect(guessed > 11)  // element starts and the braces after commas inside the tempting records
    }

    @Test func largeFilesLoadTheSameInHalvesAndInFull() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.writeRecords(Self.manyRecords(300) + Self.mixedRecords)
        var halves = LoadOptions(checkImages: true)
        halves.splitSize = 1
        var full = LoadOptions(checkImages: true)
        full.fastPath = false
        let pair = (fast: try SceneDataset.load(from: data.root, options: halves), full: try SceneDataset.load(from: data.root, options: full))
        expectSame(pair)
        #expect(pair.fast.records.count > 250)
        #expect(pair.fast.problems.count > 40)
        for (position, record) in pair.fast.records.enumerated() {
            #expect(pair.fast.index(ofID: record.id) == position)
        }
    }

    @Test func damagedLargeFilesAreReportedTheSameInHalves() throws {
        let records = Self.manyRecords(200)
        let body = records.joined(separator: ",\n")
        let cut = body.index(body.startIndex, offsetBy: body.count * 3 / 4)
        let damaged = [
            "{\"data\": [" + body + ",\n{\"id\": [1}]}",  // syntax error in the second half
            "{\"data\": [" + body[..<cut] + "]}",  // cut short in a record of the second half
            "{\"data\": [" + body,  // no end
            "{\"data\": [" + body + "]} trailing",
            "{\"data\": [" + body.replacingOccurrences(of: "\"m150\"", with: "\"m\u{1}150\"") + "]}",  // control character
            "{\"data\": [" + body + "], \"more\": 1}",
        ]
        for text in damaged {
            let data = try TestDataset()
            defer { data.remove() }
            try data.write("metadata.json", text)
            var halves = LoadOptions()
            halves.splitSize = 1
            var full = LoadOptions()
            full.fastPath = false
            let pair = (fast: try SceneDataset.load(from: data.root, options: halves), full: try SceneDataset.load(from: data.root, options: full))
            expectSame(pair)
            #expect(pair.fast.records.map(\.id).contains("d3"), "the other file still loads")
        }
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
