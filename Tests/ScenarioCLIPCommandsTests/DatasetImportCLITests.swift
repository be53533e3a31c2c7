import Foundation
import Scenes
import Testing

/// `scenarioclip dataset import` on each format's sample of SceneImportTests, then `check`, `index` and `query` on
/// the result with a tiny random model.
@Suite(.serialized) struct DatasetImportCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SceneImportTests/Fixtures")
    static let coco = fixtures.appendingPathComponent("coco")

    /// The command-line arguments of each format's sample and the scenes and relations it holds.
    static func sample(_ format: String) -> [String] {
        let root = fixtures.appendingPathComponent(format)
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
        switch format {
        case "visual-genome":
            return ["--image-data", path("image_data.json"), "--objects", path("objects.json"),
                     "--relationships", path("relationships.json"), "--images", path("VG_100K"),
                     "--images", path("VG_100K_2")]
        case "openpsg":
            return ["--psg", path("psg.json"), "--images", path("coco")]
        default:
            return ["--annotations", path("annotations"), "--frames", path("frames")]
        }
    }

    @Test(arguments: ["visual-genome", "openpsg", "action-genome"])
    func importThenCheckIndexQuery(format: String) throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent(format)
        let imported = try CLIHarness.run(["dataset", "import", format] + Self.sample(format) + [out.path])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        let expected = try #require(try CLIHarness.json(String(decoding: try Data(contentsOf: Self.fixtures
            .appendingPathComponent(format).appendingPathComponent("expected.json")), as: UTF8.self)) as? [String: Any])
        let records = try #require(expected["records"] as? [[String: Any]])
        let relations = records.reduce(0) { $0 + (($1["relations"] as? [Any])?.count ?? 0) }
        #expect(relations > 0)

        let check = try CLIHarness.run(["check", out.path, "--json"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let report = try #require(try CLIHarness.json(check.stdout) as? [String: Any])
        #expect(report["records"] as? Int == records.count)
        #expect(report["errors"] as? Int == 0)
        let model = root.appendingPathComponent("model")
        try CLIHarness.writeTinyCLIP(to: model)
        let index = try CLIHarness.run(["index", out.path, "--model", model.path])
        #expect(index.status == 0, "\(index.stdout)\(index.stderr)")
        let query = try CLIHarness.run(["query", out.path, "a person", "--model", model.path, "--level", "relation",
                                        "--top", "100", "--json"])
        #expect(query.status == 0, "\(query.stderr)")
        let hits = try #require(try CLIHarness.json(query.stdout) as? [[String: Any]], "\(query.stdout)")
        #expect(hits.count == relations, "every relation of the sample is a relation-level item")
        #expect(hits.allSatisfy { $0["level"] as? String == "relation" })
    }

    @Test func importCOCOThenCheckIndexQuery() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("coco-scenes")
        let imported = try CLIHarness.run([
            "dataset", "import", "coco", "--instances", Self.coco.appendingPathComponent("instances_val2017.json").path,
            "--captions", Self.coco.appendingPathComponent("captions_val2017.json").path,
            "--images", Self.coco.appendingPathComponent("val2017").path, out.path,
        ])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stdout.contains("imported 3 scenes, 3 objects, 0 relations"))
        #expect(imported.stdout.contains("left out: 1 crowd boxes"))
        #expect(imported.stdout.contains("1 scenes whose picture is missing"))
        #expect(imported.stdout.contains("record 724: picture 000000000724.jpg not found"))

        let check = try CLIHarness.run(["check", out.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let model = root.appendingPathComponent("model")
        try CLIHarness.writeTinyCLIP(to: model)
        let index = try CLIHarness.run(["index", out.path, "--model", model.path])
        #expect(index.status == 0, "\(index.stdout)\(index.stderr)")
        let query = try CLIHarness.run(["query", out.path, "a dog", "--model", model.path, "--level", "object", "--json"])
        #expect(query.status == 0, "\(query.stderr)")
        let hits = try CLIHarness.json(query.stdout)
        #expect("\(hits)".contains("dog"))

        // --strict: the missing picture is fatal, naming the file and record; the earlier dataset stays.
        let before = try Data(contentsOf: out.appendingPathComponent("metadata.json"))
        let strict = try CLIHarness.run([
            "dataset", "import", "coco", "--instances", Self.coco.appendingPathComponent("instances_val2017.json").path,
            "--images", Self.coco.appendingPathComponent("val2017").path, "--strict", out.path,
        ])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("record 724: picture 000000000724.jpg is in none of the picture folders"), "\(strict.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("metadata.json")) == before)

        let badRule = try CLIHarness.run([
            "dataset", "import", "coco", "--instances", "x", "--images", "y", "--action-from", "mood", out.path,
        ])
        #expect(badRule.status != 0 && badRule.stderr.contains("The value 'mood' is invalid for '--action-from") && badRule.stderr.contains("'relation', 'caption' or 'object'"))
    }
}
