import Foundation
import Testing

/// `tools/compute_embeddings.py` (PyTorch, reference model) → `scenarioclip import` must give the same search results
/// as `scenarioclip index` (Swift) on the same checkpoint.
@Suite struct ImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/import")
    static let checkpoint = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ScenarioModelTests/Fixtures/three_level.ckpt")

    private func copyOfScenes() throws -> URL {
        let folder = try CLIHarness.temporaryFolder().appendingPathComponent("scenes")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("scenes"), to: folder)
        return folder
    }

    private func query(_ dataset: URL) throws -> [[String: Any]] {
        let image = dataset.appendingPathComponent("images/000000.jpg").path
        let output = try CLIHarness.run(["query", dataset.path, "--image", image, "--level", "all", "--top", "5",
                                         "--model", Self.checkpoint.path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        return try #require(try CLIHarness.json(output.stdout) as? [[String: Any]])
    }

    @Test func importedShardSearchesLikeSwiftIndex() throws {
        let imported = try copyOfScenes()
        let indexed = try copyOfScenes()
        defer {
            try? FileManager.default.removeItem(at: imported.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: indexed.deletingLastPathComponent())
        }
        let shard = Self.fixtures.appendingPathComponent("embeddings-0000-of-0001.safetensors").path
        let load = try CLIHarness.run(["import", imported.path, "--model", Self.checkpoint.path, "--shard", shard])
        #expect(load.status == 0, "\(load.stderr)")
        #expect(load.stdout.contains("global 3, object 10, relation 6"))
        #expect(load.stdout.contains("every item of the dataset is now cached"))
        let index = try CLIHarness.run(["index", indexed.path, "--model", Self.checkpoint.path])
        #expect(index.status == 0, "\(index.stderr)")

        let a = try query(imported), b = try query(indexed)
        #expect(a.count == 13 && a.count == b.count)  // 3 scenes + 5 objects + 5 relations
        for (x, y) in zip(a, b) {
            #expect(x["scene"] as? String == y["scene"] as? String)
            #expect(x["level"] as? String == y["level"] as? String)
            #expect(x["index"] as? Int == y["index"] as? Int)
            let sx = (x["score"] as? NSNumber)?.floatValue ?? .nan, sy = (y["score"] as? NSNumber)?.floatValue ?? .nan
            #expect(abs(sx - sy) < 1e-3)
        }
    }

    @Test func shardFromAnotherCheckpointIsRefused() throws {
        let dataset = try copyOfScenes()
        defer { try? FileManager.default.removeItem(at: dataset.deletingLastPathComponent()) }
        let other = Self.checkpoint.deletingLastPathComponent().appendingPathComponent("one_level.ckpt")
        let shard = Self.fixtures.appendingPathComponent("embeddings-0000-of-0001.safetensors").path
        let refused = try CLIHarness.run(["import", dataset.path, "--model", other.path, "--shard", shard])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not the given model's"))
    }
}
