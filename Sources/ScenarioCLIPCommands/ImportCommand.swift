import ArgumentParser
import BundledAssets
import EmbeddingCache
import Foundation
import ScenarioModel
import SceneWorkspace

/// `scenarioclip import`: loads embeddings computed elsewhere into the dataset's cache.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import embeddings computed elsewhere (tools/compute_embeddings.py) into the cache.",
        discussion: """
            Embedding a million scenes on two CPU cores takes days; compute them with the reference PyTorch model on
            GPUs (tools/compute_embeddings.py, sharded by record id like `index --shard`) and import the shards
            here. Vectors are stored under the fingerprint of --model, so the shards must come from the same
            checkpoint: each shard records its checkpoint's SHA-256 and a mismatch is refused unless --force.
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .customLong("shard"), parsing: .upToNextOption, help: ArgumentHelp("Shard files (.safetensors).", valueName: "file"))
    var shards: [String] = []
    @Option(name: .customLong("layout"), parsing: .upToNextOption, help: ArgumentHelp(
        "Folders in clip-retrieval's layout written by `scenarioclip embeddings export`.", valueName: "folder"))
    var layouts: [String] = []
    @Flag(name: .long, help: "Import even when a shard names a different checkpoint.")
    var force = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !shards.isEmpty || !layouts.isEmpty else { throw ValidationError("give at least one --shard FILE or --layout FOLDER") }
    }

    func run() throws {
        let dataset = try data.loadDataset()
        let cache = try data.openCache(for: dataset)
        let model = try modelOptions.load()
        let checkpointHash = force ? nil : try checkpointSHA256()
        let importer = EmbeddingImporter(cache: cache, model: model)
        var reports: [EmbeddingImporter.ShardReport] = []
        for shard in shards {
            reports.append(try importer.importShard(at: URL(fileURLWithPath: shard), expectedCheckpointSHA256: checkpointHash))
        }
        for layout in layouts {
            reports.append(try importer.importLayout(at: URL(fileURLWithPath: layout), force: force))
        }
        // Record the dataset's items so the imported vectors are searchable; report what is still missing.
        let (items, failures) = try SceneIndexer(dataset: dataset, cache: cache, model: model).refreshItems()
        var missing = 0
        for level in Level.allCases {
            let stored = try cache.storedKeys(fingerprint: model.fingerprint, level: CacheLevel(level))
            missing += items.filter { $0.level == level && !stored.contains($0.key) }.count
        }
        if output.json {
            try printJSON(ImportSummary(
                shards: reports.map { ["file": $0.file, "global": "\($0.imported[.global] ?? 0)",
                                       "object": "\($0.imported[.object] ?? 0)", "relation": "\($0.imported[.relation] ?? 0)"] },
                stillMissing: missing, failures: failures))
            return
        }
        for report in reports {
            let counts = Level.allCases.map { "\($0.rawValue) \(report.imported[$0] ?? 0)" }.joined(separator: ", ")
            print("\(report.file): \(counts)")
        }
        print(missing == 0 ? "every item of the dataset is now cached"
              : "\(missing) item(s) of the dataset are still not cached (run `scenarioclip index` to embed them here)")
        for failure in failures { printError("failed: \(failure)") }
    }

    /// SHA-256 of the checkpoint file behind --model (the weights file inside a Hugging Face folder).
    private func checkpointSHA256() throws -> String? {
        var url = try modelOptions.modelURL()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            url = url.appendingPathComponent("model.safetensors")
        }
        return try ContentHash.ofFile(at: url).hex
    }
}

/// JSON form of an import.
struct ImportSummary: Encodable {
    var shards: [[String: String]]
    var stillMissing: Int
    var failures: [String]
}
