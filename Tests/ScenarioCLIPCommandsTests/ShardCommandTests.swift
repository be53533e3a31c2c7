import EmbeddingCache
import Foundation
import Testing

/// `scenarioclip index --shard` on several "machines" + `scenarioclip cache merge` must answer every query as one
/// `scenarioclip index` does.
@Suite(.serialized) struct ShardCommandTests {
    static let noSlurm: [String: String?] = [
        "SLURM_ARRAY_TASK_ID": nil, "SLURM_ARRAY_TASK_COUNT": nil, "SLURM_ARRAY_TASK_MIN": nil, "SLURM_ARRAY_TASK_STEP": nil,
    ]

    @Test func shardsMergedAnswerLikeOneIndex() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let single = root.appendingPathComponent("single"), sharded = root.appendingPathComponent("sharded")
        let model = root.appendingPathComponent("model")
        let generated = try CLIHarness.run(["generate", single.path, "--scenes", "20", "--seed", "9", "--size", "96x64"])
        #expect(generated.status == 0, "\(generated.stderr)")
        try FileManager.default.copyItem(at: single, to: sharded)
        try CLIHarness.writeTinyCLIP(to: model)

        let index = try CLIHarness.run(["index", single.path, "--model", model.path])
        #expect(index.status == 0, "\(index.stderr)")
        // Shards 0 and 1 by hand, shard 2 as Slurm array task 3 of --array=1-3.
        var shardFiles: [String] = []
        for i in 0..<3 {
            let run = i < 2
                ? try CLIHarness.run(["index", sharded.path, "--model", model.path, "--shard", "\(i)/3"], environment: Self.noSlurm)
                : try CLIHarness.run(["index", sharded.path, "--model", model.path, "--shard", "slurm"], environment: [
                    "SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"])
            #expect(run.status == 0, "\(run.stderr)")
            let file = sharded.appendingPathComponent(".scenarioclip/shards/shard-000\(i)-of-0003.sqlite").path
            #expect(run.stdout.contains("cache: \(file) (shard \(i)/3)"), "\(run.stdout)")
            shardFiles.append(file)
        }
        // Only two shards: gaps are reported, exit status 2, and what was merged stays.
        let partial = try CLIHarness.run(["cache", "merge", sharded.path] + shardFiles.prefix(2))
        #expect(partial.status == 2, "\(partial.stderr)")
        #expect(partial.stderr.contains("shard(s) not given: 2/3") && partial.stderr.contains("gaps: "), "\(partial.stderr)")
        let merge = try CLIHarness.run(["cache", "merge", sharded.path] + shardFiles + ["--json"])
        #expect(merge.status == 0, "\(merge.stderr)")
        let summary = try #require(try CLIHarness.json(merge.stdout) as? [String: Any])
        #expect((summary["gaps"] as? [String: Int])?.isEmpty == true)
        #expect((summary["shards"] as? [String])?.count == 3)

        for level in CacheLevel.allCases {
            let a = try EmbeddingCache.open(at: EmbeddingCache.defaultLocation(forDataset: single)).loadLevel(fingerprint: fingerprint(of: single), level: level)
            let b = try EmbeddingCache.open(at: EmbeddingCache.defaultLocation(forDataset: sharded)).loadLevel(fingerprint: fingerprint(of: single), level: level)
            #expect(a.count > 0 && a.sceneIDs == b.sceneIDs)
            #expect(a.matrix.withUnsafeBufferPointer { $0.map(\.bitPattern) } == b.matrix.withUnsafeBufferPointer { $0.map(\.bitPattern) })
        }
        for text in ["a dog", "a person riding a bike"] {
            let q = ["query", "", text, "--level", "all", "--top", "8", "--model", model.path, "--json"]
            var first = q, second = q
            first[1] = single.path
            second[1] = sharded.path
            let x = try CLIHarness.run(first), y = try CLIHarness.run(second)
            #expect(x.status == 0 && y.status == 0, "\(x.stderr) \(y.stderr)")
            // The same answers, scores to the last digit; only the dataset folder in picture paths differs.
            #expect(!x.stdout.isEmpty
                && x.stdout.replacingOccurrences(of: single.path, with: "D") == y.stdout.replacingOccurrences(of: sharded.path, with: "D"))
        }
    }

    private func fingerprint(of dataset: URL) throws -> String {
        let counts = try EmbeddingCache.open(at: EmbeddingCache.defaultLocation(forDataset: dataset)).vectorCounts()
        return try #require(counts.first?.fingerprint)
    }

    @Test func badShardArguments() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = root.appendingPathComponent("scenes")
        #expect(try CLIHarness.run(["generate", dataset.path, "--scenes", "3", "--seed", "1", "--size", "96x64"]).status == 0)
        let slurm = try CLIHarness.run(["index", dataset.path, "--shard", "slurm"], environment: Self.noSlurm)
        #expect(slurm.status != 0 && slurm.stderr.contains("SLURM_ARRAY_TASK_ID is not set"), "\(slurm.stderr)")
        let bad = try CLIHarness.run(["index", dataset.path, "--shard", "3/3"])
        #expect(bad.status != 0 && bad.stderr.contains("invalid shard '3/3'"), "\(bad.stderr)")
        let missing = root.appendingPathComponent("gone.sqlite").path
        let merge = try CLIHarness.run(["cache", "merge", dataset.path, missing])
        #expect(merge.status == 1 && merge.stderr.contains("shard \(missing) does not exist"), "\(merge.stderr)")
    }

    /// `embeddings export` → `import --layout` restores the same vectors (float32 exactly; float16 exactly too, as the
    /// cache stores float16), in chunks, with one metadata row per vector.
    @Test func exportThenImportRestoresVectors() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("source"), target = root.appendingPathComponent("target")
        let model = root.appendingPathComponent("model")
        #expect(try CLIHarness.run(["generate", source.path, "--scenes", "6", "--seed", "4", "--size", "96x64"]).status == 0)
        try FileManager.default.copyItem(at: source, to: target)
        try CLIHarness.writeTinyCLIP(to: model)
        #expect(try CLIHarness.run(["index", source.path, "--model", model.path]).status == 0)
        let sourceCache = try EmbeddingCache.open(at: EmbeddingCache.defaultLocation(forDataset: source))
        let fingerprint = try #require(try sourceCache.vectorCounts().first?.fingerprint)
        let total = try sourceCache.vectorCounts().reduce(0) { $0 + $1.count }

        for dtype in ["float32", "float16"] {
            let out = root.appendingPathComponent("export-\(dtype)")
            let export = try CLIHarness.run(["embeddings", "export", source.path, out.path, "--model", model.path, "--level", "all",
                                             "--dtype", dtype, "--chunk", "7"])
            #expect(export.status == 0, "\(export.stderr)")
            let rows = try EmbeddingCache.open(at: EmbeddingCache.defaultLocation(forDataset: source)).items().count
            #expect(export.stdout.contains("exported \(rows) \(dtype) vectors"), "\(export.stdout)")
            let chunks = (rows + 6) / 7
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("img_emb/img_emb_\(chunks - 1).npy").path))
            let csv = try String(contentsOf: out.appendingPathComponent("metadata/metadata_0.csv"), encoding: .utf8)
            let lines = csv.split(separator: "\n")
            #expect(lines[0] == "item_id,scene_id,level,item_index,key,image_path,x1,y1,x2,y2" && lines.count == 8)
            #expect(lines[1].hasPrefix("0,") && lines[1].contains(",global,0,image:") && lines[1].hasSuffix(",,,"))

            try? FileManager.default.removeItem(at: target.appendingPathComponent(".scenarioclip"))
            let load = try CLIHarness.run(["import", target.path, "--model", model.path, "--layout", out.path])
            #expect(load.status == 0, "\(load.stderr)")
            #expect(load.stdout.contains("every item of the dataset is now cached"), "\(load.stdout)")
            let imported = try EmbeddingCache.open(at: EmbeddingCache.defaultLocation(forDataset: target))
            #expect(try imported.vectorCounts().reduce(0) { $0 + $1.count } == total)
            for level in CacheLevel.allCases {
                let a = try sourceCache.loadLevel(fingerprint: fingerprint, level: level)
                let b = try imported.loadLevel(fingerprint: fingerprint, level: level)
                #expect(a.count > 0 && a.sceneIDs == b.sceneIDs)
                #expect(a.matrix.withUnsafeBufferPointer { $0.map(\.bitPattern) } == b.matrix.withUnsafeBufferPointer { $0.map(\.bitPattern) })
            }
        }
        // Another model's layout is refused, naming the manifest.
        let other = root.appendingPathComponent("other")
        try CLIHarness.writeTinyCLIP(to: other, imageSize: 16)
        let refused = try CLIHarness.run(["import", target.path, "--model", other.path, "--layout", root.appendingPathComponent("export-float32").path])
        #expect(refused.status != 0 && refused.stderr.contains("embeddings.json") && refused.stderr.contains("not the given model's"),
                "\(refused.stderr)")
    }
}
