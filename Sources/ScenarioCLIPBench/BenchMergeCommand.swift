import ArgumentParser
import CommandSupport
import EmbeddingCache
import Foundation
import Numerics
import Scenes
import SceneWorkspace

/// `scenarioclip bench merge`: the data path of `cache merge` over many shard caches, then `embeddings export` of the
/// merged vectors, with time and memory.
struct BenchMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge of many shard caches and export of the merged vectors: time and peak memory.",
        discussion: """
            Writes --shards shard caches of --rows synthetic WIDTH-wide vectors each (distinct keys, float16), then \
            times what `cache merge` does after its checks: every shard's vectors, text vectors, file hashes and \
            annotation tables copied into one target in one transaction, then the IVF search lists built once. \
            Listing and hashing the dataset's pictures is left out (`bench index` measures it). Then times \
            `embeddings export` of the merged level in clip-retrieval's layout (float16 .npy chunks + CSV). Peak \
            resident memory is read from /proc after each step (reset between steps where the kernel allows).
            """)

    @Option(help: "Number of shard caches.")
    var shards = 100
    @Option(help: "Vectors per shard.")
    var rows = 10_000
    @Option(help: "Vector width.")
    var width = 512
    @Option(help: "Rows per exported chunk.")
    var chunk = 100_000
    @Flag(help: "Skip the export step.")
    var noExport = false
    @Option(help: "Folder for the temporary files (default: the system temporary folder); removed after.")
    var folder: String?

    func validate() throws {
        guard shards > 0, rows > 0, width > 0, chunk > 0 else {
            throw ValidationError("--shards, --rows, --width and --chunk must be positive")
        }
    }

    func run() throws {
        let base = folder.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let work = base.appendingPathComponent("scenarioclip-bench-merge-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let total = shards * rows
        print("bench merge: \(shards) shards × \(rows) vectors × \(width) (float16), \(total) in all, "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores, folder \(work.path)")

        // Shards, each with its own keys; the items of all of them go into the target, as a merge records them.
        var items: [DatasetItem] = []
        items.reserveCapacity(total)
        var shardFiles: [URL] = []
        let writeStart = Date()
        var generator = SplitMix64(seed: 7)
        var vector = [Float](repeating: 0, count: width)
        for s in 0..<shards {
            let url = work.appendingPathComponent("shard-\(s).sqlite")
            let cache = try EmbeddingCache.open(at: url)
            try cache.recordShard(try ShardSpec(index: s, count: shards))
            try cache.write { batch in
                for r in 0..<rows {
                    let i = s * rows + r
                    for j in 0..<width { vector[j] = generator.nextGaussian() }
                    let key = ItemKey.image(ContentHash(hex: String(i, radix: 16)))
                    try batch.storeVector(vector, for: key, fingerprint: "bench", level: .global)
                    items.append(DatasetItem(sceneID: "scene-\(i)", level: .global, index: 0, key: key))
                }
            }
            shardFiles.append(url)
        }
        print(String(format: "shards written in %.1f s", Date().timeIntervalSince(writeStart)))
        let baseline = ProcessMemory.residentBytes ?? 0
        ProcessMemory.resetPeak()

        let target = work.appendingPathComponent("merged.sqlite")
        let cache = try EmbeddingCache.open(at: target)
        try cache.write { try $0.replaceAllItems(items) }
        items = []
        let copyStart = Date()
        var copied = 0
        try cache.write { batch in
            for url in shardFiles {
                let shard = try EmbeddingCache.open(at: url, options: CacheOptions(readOnly: true))
                copied += try batch.copyContents(of: shard).vectors.values.reduce(0, +)
            }
        }
        let copySeconds = Date().timeIntervalSince(copyStart)
        guard copied == total else { throw ValidationError("bench merge: copied \(copied) vectors of \(total)") }
        print(String(format: "copy: %d vectors from %d shards in one transaction: %.1f s (%.0f vectors/s), peak RSS %@",
                     copied, shards, copySeconds, Double(copied) / copySeconds, Self.megabytes(ProcessMemory.peakResidentBytes)))
        ProcessMemory.resetPeak()
        let listsStart = Date()
        let lists = try SearchListsBuilder.refresh(cache: cache, fingerprint: "bench", levels: [.global])
        print(String(format: "IVF lists: %d lists over %d vectors in %.1f s, peak RSS %@",
                     lists.first?.lists ?? 0, lists.first?.rows ?? 0, Date().timeIntervalSince(listsStart),
                     Self.megabytes(ProcessMemory.peakResidentBytes)))
        let mergeSeconds = Date().timeIntervalSince(copyStart)
        let fileBytes = ["", "-wal"].reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: target.path + $1)[.size] as? Int) ?? 0)
        }
        print(String(format: "merge (copy + lists): %.1f s; merged cache %.0f MB (with its WAL); resident before the merge %@",
                     mergeSeconds, Double(fileBytes) / 1e6, Self.megabytes(baseline)))

        guard !noExport else { return }
        let dataset = SceneDataset(root: work, records: [])
        let beforeExport = ProcessMemory.residentBytes
        ProcessMemory.resetPeak()
        let exportStart = Date()
        let manifest = try EmbeddingsExporter.export(
            dataset: dataset, cache: cache, fingerprint: "bench", levels: [.global],
            to: work.appendingPathComponent("export"), half: true, chunkRows: chunk)
        let exportSeconds = Date().timeIntervalSince(exportStart)
        print(String(format: "export: %d vectors in %d chunk(s) of %d, float16 .npy + CSV: %.1f s (%.0f vectors/s), "
                     + "peak RSS %@ (%@ before)",
                     manifest.rows, manifest.chunks, chunk, exportSeconds, Double(manifest.rows) / exportSeconds,
                     Self.megabytes(ProcessMemory.peakResidentBytes), Self.megabytes(beforeExport)))
    }

    static func megabytes(_ bytes: Int?) -> String {
        bytes.map { String(format: "%.0f MB", Double($0) / 1e6) } ?? "unknown"
    }
}
