import Foundation
import Scenes
import Testing

/// `check --json`'s split, `duplicates`, `dataset split --group-duplicates` and `dataset export`, end to end on a
/// copy of part of the demo with the bundled model, with a planted exact copy and a re-encoded near copy.
@Suite(.serialized) struct DatasetSubsetsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let demo = repository.appendingPathComponent("Assets/demo")

    /// The first `count` demo records with absolute paths, optionally without their `split` fields.
    static func demoRecords(_ count: Int, keepSplits: Bool) throws -> [[String: Any]] {
        let metadata = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("metadata.json"))) as? [String: Any])
        let records = try #require(metadata["data"] as? [[String: Any]])
        return records.prefix(count).map { record in
            var record = record
            record["image_path"] = demo.appendingPathComponent(record["image_path"] as? String ?? "").path
            record["relations"] = (record["relations"] as? [[Any]] ?? []).map { relation in
                [demo.appendingPathComponent(relation[0] as? String ?? "").path, relation[1]]
            }
            if !keepSplits { record["split"] = nil }
            return record
        }
    }

    static func write(_ records: [[String: Any]], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["data": records]).write(to: folder.appendingPathComponent("metadata.json"))
        try FileManager.default.copyItem(at: demo.appendingPathComponent("classes.json"), to: folder.appendingPathComponent("classes.json"))
    }

    @Test func checkListsTheReferencesSplit() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let records = try Self.demoRecords(10, keepSplits: false)
        try Self.write(records, to: root)
        let check = try CLIHarness.run(["check", root.path, "--json"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let report = try #require(try CLIHarness.json(check.stdout) as? [String: Any])
        let splits = try #require(report["splits"] as? [String: [String]])
        // CPython's split of ten records (tools/make_split_fixtures.py), as positions in load order.
        let fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.repository
            .appendingPathComponent("Tests/ScenesTests/Fixtures/reference_splits.json"))) as? [String: Any])
        let expected = try #require((fixture["splits"] as? [[String: Any]])?.first { $0["n"] as? Int == 10 && $0["seed"] as? Int == 42 })
        let ids = records.map { $0["id"] as? String ?? "" }
        for split in ["train", "val", "test"] {
            let positions = try #require(expected[split] as? [Int])
            #expect(splits[split] == positions.map { ids[$0] }, "\(split)")
        }
    }

    @Test func duplicatesLeaksGroupedSplitAndExport() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = root.appendingPathComponent("scenes")
        var records = try Self.demoRecords(12, keepSplits: true)
        records[1]["split"] = "train"
        records[2]["split"] = "train"
        try FileManager.default.createDirectory(at: dataset, withIntermediateDirectories: true)
        // An exact copy of scene 1 (same bytes, another file) and a resized, recompressed copy of scene 2, both in test.
        try FileManager.default.copyItem(atPath: try #require(records[1]["image_path"] as? String),
                                         toPath: dataset.appendingPathComponent("copy1.jpg").path)
        try FileManager.default.copyItem(
            at: Self.repository.appendingPathComponent("Tests/ScenarioCLIPCommandsTests/Fixtures/duplicates/000002_reencoded.jpg"),
            to: dataset.appendingPathComponent("reencoded2.jpg"))
        var exact = records[1], near = records[2]
        exact["id"] = "copy_of_1"; exact["image_path"] = "copy1.jpg"; exact["relations"] = []; exact["split"] = "test"
        near["id"] = "reencoded_2"; near["image_path"] = "reencoded2.jpg"; near["relations"] = []; near["objects"] = []
        near["split"] = "test"
        try Self.write(records + [exact, near], to: dataset)

        let found = try CLIHarness.run(["duplicates", dataset.path, "--json"])
        #expect(found.status == 0, "\(found.stderr)")
        let report = try #require(try CLIHarness.json(found.stdout) as? [String: Any])
        let groups = try #require(report["groups"] as? [[String: Any]])
        let exactGroup = try #require(groups.first { $0["kind"] as? String == "exact" })
        #expect(exactGroup["ids"] as? [String] == ["000001", "copy_of_1"])
        #expect(exactGroup["splits"] as? [String] == ["train", "test"])
        let nearGroup = try #require(groups.first { $0["kind"] as? String == "near" })
        #expect(nearGroup["ids"] as? [String] == ["000002", "reencoded_2"])
        #expect((nearGroup["similarity"] as? Double ?? 0) >= 0.97)
        #expect(groups.count == 2)
        #expect(report["leaks"] as? Int == 2)

        let split = root.appendingPathComponent("resplit")
        let written = try CLIHarness.run(["dataset", "split", dataset.path, split.path, "--group-duplicates", "--no-index", "--json"])
        #expect(written.status == 0, "\(written.stderr)")
        let resplit = try SceneDataset.load(from: split)
        #expect(resplit.records.count == 14)
        func declared(_ id: String) -> SceneSplit? { resplit.record(id: id)?.declaredSplit }
        #expect(declared("000001") != nil && declared("000001") == declared("copy_of_1"))
        #expect(declared("000002") != nil && declared("000002") == declared("reencoded_2"))
        let counts = Dictionary(grouping: resplit.records.compactMap(\.declaredSplit), by: { $0 }).mapValues(\.count)
        #expect(counts[.train] == 9 && counts[.val] == 3 && counts[.test] == 2)   // int(0.7·14), rest, int(0.2·14)
        #expect(resplit.records.map(\.imagePath) == (try SceneDataset.load(from: dataset)).records.map(\.imagePath))

        let again = try CLIHarness.run(["dataset", "split", dataset.path, split.path, "--group-duplicates", "--no-index"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("exists and is not empty"))

        let paths = try CLIHarness.run(["dataset", "export", dataset.path, "-", "--format", "paths", "--split", "test"])
        #expect(paths.status == 0, "\(paths.stderr)")
        let testPaths = (try SceneDataset.load(from: dataset)).records(in: .test).map(\.imagePath.path)
        #expect(paths.stdout.split(separator: "\n").map(String.init) == testPaths)

        let subset = root.appendingPathComponent("subset")
        let exported = try CLIHarness.run(["dataset", "export", dataset.path, subset.path, "--duplicates", "drop", "--no-index", "--json"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let kept = try SceneDataset.load(from: subset)
        #expect(kept.records.map(\.id) == (0..<12).map { String(format: "%06d", $0) })
        #expect(!kept.hasErrors)

        let idList = root.appendingPathComponent("ids.txt")
        try Data("000003\nnot_a_scene\n".utf8).write(to: idList)
        let unknown = try CLIHarness.run(["dataset", "export", dataset.path, root.appendingPathComponent("other").path, "--ids", idList.path])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("not_a_scene"))
    }
}
