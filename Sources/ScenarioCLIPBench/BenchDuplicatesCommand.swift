import ArgumentParser
import CommandSupport
import Foundation
import Numerics
import Retrieval
import SceneWorkspace
import Synthetic

/// `scenarioclip bench duplicates`: near-duplicate grouping over synthetic embeddings with planted copies, and the
/// recall of its neighbour search against exact search.
struct BenchDuplicatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "Near-duplicate grouping over synthetic embeddings: build, pair search, union-find, and recall.",
        discussion: """
            Builds COUNT clustered unit vectors (Retrieval's SyntheticEmbeddings) in which every --every-th item is a \
            noisy copy of the item before it, runs DuplicateFinder (IVF lists above 20,000 rows) at --threshold, and \
            reports the time of each step, the groups found, and recall: the share of the above-threshold pairs that \
            exact search finds for --sample rows which the grouped search also found.
            """)

    @Option(help: "Number of vectors (scenes).")
    var count = 100_000
    @Option(help: "Vector dimension.")
    var dimension = 512
    @Option(help: "Clusters in the synthetic collection.")
    var clusters = 2000
    @Option(help: "Every EVERY-th item is a near copy of the previous one.")
    var every = 50
    @Option(help: "Noise norm of a copy relative to its original.")
    var noise: Float = 0.1
    @Option(help: "Cosine similarity threshold.")
    var threshold: Float = DuplicateFinder.defaultThreshold
    @Option(help: "IVF lists each row is compared with (default: SimilarPairs.defaultProbes, 8).")
    var probes: Int?
    @Option(help: "Rows checked against exact search for recall.")
    var sample = 1000
    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    func validate() throws {
        guard count > 1, dimension > 0, clusters > 0, every > 1, sample > 0 else {
            throw ValidationError("--count must be above 1, --every above 1, and --dimension, --clusters, --sample positive")
        }
        if let probes, probes <= 0 { throw ValidationError("--probes must be positive") }
    }

    func run() throws {
        let gen = SyntheticEmbeddings(dimension: dimension, clusters: clusters, seed: seed)
        let (d, n, every, noise) = (dimension, count, every, noise)
        print("bench duplicates: \(n) × \(d) float32, \(clusters) clusters, a copy (noise \(noise)) every \(every) items, threshold \(threshold)")
        print("threads: \(ProcessInfo.processInfo.activeProcessorCount)")
        let start = Date()
        var t = Date()
        let base = try VectorIndex(dimension: d, count: n, compact: false) { i, row in
            if i % every == every - 1 {
                gen.write(item: i - 1, into: row)
                let jitter = gen.vector(item: i, stream: 2)
                for j in 0..<d { row[j] += noise * jitter[j] }
            } else {
                gen.write(item: i, into: row)
            }
        }
        print(String(format: "vectors: %.1f s", Date().timeIntervalSince(t)))
        t = Date()
        let lists: IVFIndex? = n > DuplicateFinder.exactLimit ? try IVFIndex.build(over: base) : nil
        print(String(format: "IVF lists: %@ in %.1f s", lists.map { "\($0.lists)" } ?? "none (exact search)", Date().timeIntervalSince(t)))
        t = Date()
        let reporter = ProgressReporter(label: "pairs", unit: "rows")
        let pairStart = Date()
        let pairs = try DuplicateFinder.pairs(base: base, lists: lists, threshold: threshold, probes: probes) { done in
            reporter.update(done: done, total: n, elapsed: Date().timeIntervalSince(pairStart))
        }
        reporter.finish()
        let pairSeconds = Date().timeIntervalSince(t)
        t = Date()
        let groups = DuplicateFinder.groups(count: n, pairs: pairs)
        let groupSeconds = Date().timeIntervalSince(t)
        let total = Date().timeIntervalSince(start)
        print(String(format: "pair search: %.1f s (%d pairs), union-find: %.2f s, %d groups (%d planted); total %.1f s",
                     pairSeconds, pairs.count, groupSeconds, groups.count, n / every, total))

        // Recall against exact search on a sample of rows.
        let found = Set(pairs.map { Int64($0.first) * Int64(n) + Int64($0.second) })
        var rng = SplitMix64(seed: seed)
        let rows = (0..<min(sample, n)).map { _ in Int.random(in: 0..<n, using: &rng) }
        let exact = try base.exactSearch(queries: rows.map { base.vector(at: $0) }, k: min(n, DuplicateFinder.neighbours + 1))
        var truth = 0, hit = 0
        for (row, hits) in zip(rows, exact) {
            for h in hits where h.row != row && h.score >= threshold {
                truth += 1
                if found.contains(Int64(min(row, h.row)) * Int64(n) + Int64(max(row, h.row))) { hit += 1 }
            }
        }
        print(String(format: "recall against exact search (%d rows, %d pairs above threshold): %.4f",
                     rows.count, truth, truth == 0 ? 1.0 : Double(hit) / Double(truth)))
    }
}
