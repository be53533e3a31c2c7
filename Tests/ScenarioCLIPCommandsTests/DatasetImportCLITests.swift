import Foundation
import Scenes
import Testing

/// `scenarioclip dataset import coco` on the COCO sample of SceneImportTests, then `check`, `index` and `query` on
/// the result with a tiny random model.
@Suite(.serialized) struct DatasetImportCLITests {
    static let coco = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SceneImportTests/Fixtures/coco")

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
        #expect(badRule.status != 0 && badRule.stderr.contains("--action-from must be one of relation, caption, object"))
    }
}
