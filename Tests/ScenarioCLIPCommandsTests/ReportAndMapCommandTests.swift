import Foundation
import Testing

/// `scenarioclip report` and `scenarioclip map` end to end on the first scenes of the bundled demo with the bundled
/// model: counts equal to the metadata, accuracies consistent with `eval`, the map cached after its first run.
@Suite(.serialized) struct ReportAndMapCommandTests {
    static let sceneCount = 24

    /// The demo's first `sceneCount` records (with their pictures and focused regions) and its classes.json.
    static func demoSubset() throws -> (URL, [[String: Any]]) {
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Assets/demo")
        let folder = try CLIHarness.temporaryFolder().appendingPathComponent("demo")
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("images"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("regions"), withIntermediateDirectories: true)
        let all = try #require(try CLIHarness.json(String(contentsOf: demo.appendingPathComponent("metadata.json"), encoding: .utf8))
            as? [String: Any])
        let records = Array(try #require(all["data"] as? [[String: Any]]).prefix(sceneCount))
        for record in records {
            var paths = [try #require(record["image_path"] as? String)]
            for relation in try #require(record["relations"] as? [[Any]]) { paths.append(try #require(relation[0] as? String)) }
            for path in paths { try fm.copyItem(at: demo.appendingPathComponent(path), to: folder.appendingPathComponent(path)) }
        }
        try JSONSerialization.data(withJSONObject: ["data": records]).write(to: folder.appendingPathComponent("metadata.json"))
        try fm.copyItem(at: demo.appendingPathComponent("classes.json"), to: folder.appendingPathComponent("classes.json"))
        return (folder, records)
    }

    @Test func reportCountsMatchTheMetadataAndAccuraciesMatchEval() throws {
        let (dataset, records) = try Self.demoSubset()
        defer { try? FileManager.default.removeItem(at: dataset.deletingLastPathComponent()) }
        let run = try CLIHarness.run(["report", dataset.path, "--json"], timeout: 900)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try CLIHarness.json(run.stdout) as? [String: Any])
        #expect(report["scenes"] as? Int == Self.sceneCount && report["split"] as? String == "all")
        let levels = try #require(report["levels"] as? [[String: Any]])
        #expect(levels.map { $0["task"] as? String } == ["action", "object", "relation"])

        // Counts per split, straight from the metadata (the demo's records declare their split).
        for level in levels {
            var expected: [String: [String: Int]] = [:]
            for record in records {
                let split = try #require(record["split"] as? String)
                let labels: [String]
                switch level["task"] as? String {
                case "action": labels = [try #require(record["action"] as? String)]
                case "object": labels = try #require(record["objects"] as? [[Any]]).map { $0[0] as? String ?? "" }
                default: labels = try #require(record["relations"] as? [[Any]]).map { (($0[1] as? [String]) ?? []).joined(separator: " ") }
                }
                for label in labels { expected[label, default: [:]][split, default: 0] += 1 }
            }
            let classes = try #require(level["classes"] as? [[String: Any]])
            for c in classes {
                let name = try #require(c["name"] as? String)
                let counts = try #require(c["counts"] as? [String: Int])
                for split in ["train", "val", "test"] {
                    #expect(counts[split] == expected[name]?[split] ?? 0, "\(name) in \(split)")
                }
                let evaluated = try #require(c["evaluated"] as? Int), top1 = try #require(c["top1"] as? Int)
                let top5 = try #require(c["top5"] as? Int)
                #expect(top1 <= top5 && top5 <= evaluated && c["outsideTop5"] as? Int == evaluated - top5)
            }
            #expect(classes.filter { ($0["total"] as? Int ?? 0) > 0 }.count == expected.count)
            // The never-in-test call-out lists exactly the classes annotated only outside test.
            let neverInTest = Set(try #require(level["neverInTest"] as? [String]))
            #expect(neverInTest == Set(expected.filter { $0.value["test"] == nil }.keys))
        }

        // Accuracies agree with `eval` over the same split (already indexed: nothing is embedded again).
        let eval = try CLIHarness.run(["eval", dataset.path, "--split", "all", "--json", "--no-index"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let overall = try #require((try CLIHarness.json(eval.stdout) as? [String: Any])?["overall"] as? [String: Any])
        for (level, key) in zip(levels, ["actions", "objects", "relations"]) {
            let fromEval = try #require(overall[key] as? [String: Any])
            let reference = try #require(level["referenceRule"] as? [String: Any])
            let evalHits = try #require(fromEval["hits"] as? [Int]), referenceHits = try #require(reference["hits"] as? [Int])
            #expect(reference["total"] as? Int == fromEval["total"] as? Int, "\(key)")
            #expect(Array(referenceHits.prefix(2)) == Array(evalHits.prefix(2)), "\(key) top-1/top-5")
        }
        // For actions the per-class rule is the reference's: the summed top-1 hits equal eval's.
        let actionClasses = try #require(levels[0]["classes"] as? [[String: Any]])
        let actionTop1 = actionClasses.reduce(0) { $0 + ($1["top1"] as? Int ?? 0) }
        let actionHits = try #require((overall["actions"] as? [String: Any])?["hits"] as? [Int])
        #expect(actionTop1 == actionHits[0])

        // The human table is aligned: every class row has its counts at the header's columns.
        let text = try CLIHarness.run(["report", dataset.path, "--no-index"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("action ") || $0.hasPrefix("action  ") })
        let trainColumn = try #require(header.range(of: "train")).upperBound.utf16Offset(in: header)
        let firstRow = try #require(lines.firstIndex(of: header)).advanced(by: 2)
        #expect(lines[firstRow].utf16.count > trainColumn)
        #expect(Array(lines[firstRow].utf16)[trainColumn - 1] != 32, "counts end under 'train': \(lines[firstRow])")
    }

    @Test func mapIsComputedOnceThenReadFromTheCache() throws {
        let (dataset, records) = try Self.demoSubset()
        defer { try? FileManager.default.removeItem(at: dataset.deletingLastPathComponent()) }
        let first = try CLIHarness.run(["map", dataset.path, "--json"], timeout: 900)
        #expect(first.status == 0, "\(first.stderr)")
        let map = try #require(try CLIHarness.json(first.stdout) as? [String: Any])
        #expect(map["computed"] as? Bool == true && map["level"] as? String == "global")
        let points = try #require(map["points"] as? [[String: Any]])
        #expect(points.map { $0["sceneID"] as? String } == records.map { $0["id"] as? String })
        #expect(points.map { $0["label"] as? String } == records.map { $0["action"] as? String })
        #expect(points.map { $0["split"] as? String } == records.map { $0["split"] as? String })
        let again = try #require(try CLIHarness.json(try CLIHarness.run(["map", dataset.path, "--json", "--no-index"]).stdout) as? [String: Any])
        #expect(again["computed"] as? Bool == false)
        let xs = { (m: [String: Any]) in (m["points"] as? [[String: Any]])?.map { $0["x"] as? Double } }
        #expect(xs(again) == xs(map))
        let csv = try CLIHarness.run(["map", dataset.path, "--csv", "--no-index", "--level", "object"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\n")
        let objects = records.reduce(0) { $0 + (($1["objects"] as? [Any])?.count ?? 0) }
        #expect(rows.first == "scene_id,item,x,y,label,split" && rows.count == objects + 1)
        let bad = try CLIHarness.run(["map", dataset.path, "--level", "scene"])
        #expect(bad.status != 0 && bad.stderr.contains("The value 'scene' is invalid for '--level") && bad.stderr.contains("'global', 'object' or 'relation'"))
    }
}
