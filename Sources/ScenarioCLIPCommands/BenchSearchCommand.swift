import ArgumentParser
import Dispatch
import Foundation
import Retrieval

/// `scenarioclip bench search`: exact vs int8+re-rank vector search over synthetic clustered embeddings.
struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Vector search over synthetic cached embeddings: exact vs int8 + re-rank latency and recall@k.")

    @Option(help: "Number of vectors in the collection.")
    var count = 1_000_000

    @Option(help: "Vector dimension.")
    var dimension = 512

    @Option(help: "Clusters in the synthetic collection.")
    var clusters = 2000

    @Option(help: "Noise norm relative to a cluster centre (smaller = tighter clusters).")
    var spread: Float = 0.6

    @Option(help: "Number of timed queries.")
    var queries = 100

    @Option(help: "Results per query.")
    var k = 10

    @Option(help: "Candidates re-ranked exactly after the int8 pass (default max(10·k, 100)).")
    var candidates: Int?

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    func validate() throws {
        guard count > 0, dimension > 0, clusters > 0, queries > 0, k > 0 else {
            throw ValidationError("--count, --dimension, --clusters, --queries and --k must be positive")
        }
        if let candidates, candidates < k { throw ValidationError("--candidates must be at least --k") }
    }

    func run() throws {
        let gen = SyntheticEmbeddings(dimension: dimension, clusters: clusters, spread: spread, seed: seed)
        let d = dimension
        let n = count
        print("bench search: \(n) × \(d) float32 (\(clusters) clusters, spread \(spread)), \(queries) queries, top-\(k)")
        print("threads: \(ProcessInfo.processInfo.activeProcessorCount), int8 kernel: \(VectorIndex.compactKernel)")

        var t = Date()
        let index = try VectorIndex(dimension: d, count: n, compact: true) { i, row in
            gen.write(item: i, into: row)
        }
        print(String(format: "build (generate, normalise, quantise): %.1f s", Date().timeIntervalSince(t)))
        print(String(format: "memory: float32 %.0f MB, int8 codes + scales %.0f MB",
                      Double(n * d * 4) / 1e6, Double(n * (d + 4)) / 1e6))

        let qs = (0..<queries).map { gen.vector(item: $0, stream: 1) }
        // warm-up (page in both representations)
        _ = try index.exactSearch(qs[0], k: k)
        _ = try index.compactSearch(qs[0], k: k, candidates: candidates)

        var exactTimes: [Double] = [], compactTimes: [Double] = []
        var found = 0
        for q in qs {
            t = Date()
            let exact = try index.exactSearch(q, k: k)
            exactTimes.append(Date().timeIntervalSince(t) * 1000)
            t = Date()
            let approx = try index.compactSearch(q, k: k, candidates: candidates)
            compactTimes.append(Date().timeIntervalSince(t) * 1000)
            let truth = Set(exact.map(\.row))
            found += approx.filter { truth.contains($0.row) }.count
        }
        func summary(_ ms: [Double]) -> String {
            let s = ms.sorted()
            let mean = s.reduce(0, +) / Double(s.count)
            return String(format: "mean %.1f ms, median %.1f ms, p90 %.1f ms, min %.1f ms",
                          mean, s[s.count / 2], s[min(s.count - 1, s.count * 9 / 10)], s[0])
        }
        print("exact (sgemv + top-k):        \(summary(exactTimes))")
        print("int8 + exact re-rank:         \(summary(compactTimes))")
        print(String(format: "recall@%d of int8 + re-rank vs exact: %.4f (%d candidates re-ranked)",
                     k, Double(found) / Double(queries * k), candidates ?? max(10 * k, 100)))
    }
}
