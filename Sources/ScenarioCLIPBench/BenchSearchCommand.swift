import ArgumentParser
import CLIP
import Dispatch
import Foundation
import Numerics
import Retrieval
import ScenarioModel
import Synthetic
import Tokenizer

/// `scenarioclip bench search`: exact vs int8 + re-rank vs IVF vector search over synthetic clustered
/// embeddings, and the cost of encoding the query text.
struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Vector search over synthetic cached embeddings: exact, int8 + re-rank and IVF latency and recall@k.",
        discussion: """
            Builds COUNT clustered unit vectors, an int8 index and an IVF index (k-means lists), then times each \
            search method on the same queries and reports recall@k against exact search. Text encoding is timed \
            with the bundled model (and, with --vitb32-text, a random-weight ViT-B/32 text tower whose 512-d \
            output is searched directly); "per query incl. text" runs encoding and IVF search back to back.
            """)

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

    @Option(help: "Candidates re-ranked exactly after an int8 pass (default max(10·k, 100)).")
    var candidates: Int?

    @Option(help: "IVF lists (default √count).")
    var lists: Int?

    @Option(help: "IVF lists probed per query; repeat to compare (default: the index's default).")
    var probes: [Int] = []

    @Flag(help: "Also time a ViT-B/32-sized text tower (random weights) and search with its 512-d output.")
    var vitb32Text = false

    @Flag(help: "Skip the full int8 scan (saves its memory: count × (dimension + 4) bytes).")
    var skipInt8 = false

    @Option(help: "Int8 scan kernel (\(Int8Kernel.allCases.map(\.name).joined(separator: ", "))); repeat to compare them in each round (default: the fastest this CPU runs).")
    var int8Kernel: [String] = []

    @Option(help: "Rounds of the timed searches (text encoding is timed once, after the last).")
    var rounds = 1

    @Flag(help: "Before each round, print \"ready for round N\" and wait for a line on standard input; print \"round N done\" after it (for a driver that alternates this with a peer).")
    var waitForInput = false

    @Option(help: "Write the collection and the queries to DIR/collection.npy and DIR/queries.npy (float32, the rows as indexed) for tools/bench_reference_search.py.")
    var exportNpy: String?

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    /// Query texts cycled through by the text-encoding measurements.
    static let texts = [
        "a person holding a cup", "dog chasing a ball on grass", "two people sitting at a table",
        "a red car parked near a tree", "child riding a bicycle", "cat sleeping on a sofa",
    ]

    func validate() throws {
        guard count > 0, dimension > 0, clusters > 0, queries > 0, k > 0 else {
            throw ValidationError("--count, --dimension, --clusters, --queries and --k must be positive")
        }
        if let candidates, candidates < k { throw ValidationError("--candidates must be at least --k") }
        if let lists, lists <= 0 || lists > count { throw ValidationError("--lists must be in 1...count") }
        if probes.contains(where: { $0 <= 0 }) { throw ValidationError("--probes must be positive") }
        if rounds <= 0 { throw ValidationError("--rounds must be positive") }
        for name in int8Kernel {
            guard let kernel = Int8Kernel(name: name) else {
                throw ValidationError("--int8-kernel must be one of \(Int8Kernel.allCases.map(\.name).joined(separator: ", "))")
            }
            if !kernel.isSupported {
                throw ValidationError("--int8-kernel \(name): this CPU runs only \(Int8Kernel.supported.map(\.name).joined(separator: ", "))")
            }
        }
    }

    func run() throws {
        let gen = SyntheticEmbeddings(dimension: dimension, clusters: clusters, spread: spread, seed: seed)
        let d = dimension
        let n = count
        print("bench search: \(n) × \(d) float32 (\(clusters) clusters, spread \(spread)), \(queries) queries, top-\(k)")
        let kernels = int8Kernel.isEmpty ? [Int8Kernel.current] : int8Kernel.compactMap { Int8Kernel(name: $0) }
        print("threads: \(ProcessInfo.processInfo.activeProcessorCount), int8 kernel: \(kernels.map(\.name).joined(separator: ", ")) (this CPU runs \(Int8Kernel.supported.map(\.name).joined(separator: ", ")))")

        var t = Date()
        let index = try VectorIndex(dimension: d, count: n, compact: !skipInt8) { i, row in
            gen.write(item: i, into: row)
        }
        print(String(format: "build (generate, normalise%@): %.1f s", skipInt8 ? "" : ", quantise", Date().timeIntervalSince(t)))
        t = Date()
        let centroids = IVFIndex.trainCentroids(base: index, lists: lists, seed: seed)
        let trainSeconds = Date().timeIntervalSince(t)
        t = Date()
        let assignments = IVFIndex.assign(base: index, centroids: centroids)
        let assignSeconds = Date().timeIntervalSince(t)
        t = Date()
        let ivf = try IVFIndex(base: index, centroids: centroids, assignments: assignments)
        let layoutSeconds = Date().timeIntervalSince(t)
        print(String(format: "IVF build: %d lists, k-means on %d rows %.1f s, assign %.1f s, lists + int8 codes %.1f s",
                     ivf.lists, min(n, 40 * ivf.lists), trainSeconds, assignSeconds, layoutSeconds))
        print(String(format: "memory: float32 %.0f MB, full int8 codes + scales %@, IVF codes + scales + rows %.0f MB, centroids %.1f MB",
                     Double(n * d * 4) / 1e6, skipInt8 ? "not built" : String(format: "%.0f MB", Double(n * (d + 4)) / 1e6),
                     Double(n * (d + 8)) / 1e6, Double(ivf.lists * d * 4) / 1e6))

        let qs = (0..<queries).map { gen.vector(item: $0, stream: 1) }
        if let exportNpy { try export(index: index, queries: qs, to: URL(fileURLWithPath: exportNpy, isDirectory: true)) }
        let probeSettings = probes.isEmpty ? [ivf.defaultProbes] : probes
        // Warm-up (page in every representation).
        _ = try index.exactSearch(qs[0], k: k)
        if !skipInt8 { _ = try index.compactSearch(qs[0], k: k, candidates: candidates) }
        _ = try ivf.search(qs[0], k: k, probes: probeSettings[0], candidates: candidates)

        let bytes = Double(n * d * MemoryLayout<Float>.size)
        for round in 1...rounds {
            if waitForInput {
                // A driver (tools/bench_reference_search.py --ours) alternates this process with its peer.
                print("ready for round \(round)")
                fflush(nil)  // every output stream: the driver reads ours line by line
                guard readLine() != nil else { throw ValidationError("standard input closed before round \(round)") }
            }
            if rounds > 1 || waitForInput {
                var load = [Double](repeating: 0, count: 3)
                _ = getloadavg(&load, 3)
                print(String(format: "round %d of %d (load average %.2f %.2f %.2f)", round, rounds, load[0], load[1], load[2]))
            }
            var exactTimes: [Double] = []
            var truth: [Set<Int>] = []
            for q in qs {
                t = Date()
                let exact = try index.exactSearch(q, k: k)
                exactTimes.append(Date().timeIntervalSince(t) * 1000)
                truth.append(Set(exact.map(\.row)))
            }
            let exactMedian = exactTimes.sorted()[exactTimes.count / 2]
            print("exact (sgemv + top-k):          \(Self.summary(exactTimes)); \(String(format: "%.1f", bytes / exactMedian / 1e6)) GB/s at the median")
            let readMedian = Self.readMilliseconds(index.unitRows, rounds: 5)
            print(String(format: "plain read of the float32 rows (%d threads, median of 5): %.1f ms, %.1f GB/s; exact scan at %.0f %% of it",
                         ProcessInfo.processInfo.activeProcessorCount, readMedian, bytes / readMedian / 1e6, 100 * readMedian / exactMedian))
            for kernel in kernels {
                let tag = kernels.count > 1 ? " [\(kernel)]" : ""
                try Int8Kernel.withKernel(kernel) {
                    if !skipInt8 {
                        let (times, recall, cpu) = try measure(qs, truth) { try index.compactSearch($0, k: k, candidates: candidates) }
                        print(Self.label("int8 full scan + re-rank\(tag):")
                              + "\(Self.summary(times)), \(Self.cpuSummary(cpu)), recall@\(k) \(String(format: "%.4f", recall))")
                    }
                    for p in probeSettings {
                        let (times, recall, cpu) = try measure(qs, truth) { try ivf.search($0, k: k, probes: p, candidates: candidates) }
                        print(Self.label("IVF \(p)/\(ivf.lists) lists + re-rank\(tag):")
                              + "\(Self.summary(times)), \(Self.cpuSummary(cpu)), recall@\(k) \(String(format: "%.4f", recall))")
                    }
                }
            }
            if waitForInput {
                print("round \(round) done")
                fflush(nil)  // every output stream: the driver reads ours line by line
            }
        }

        // Text encoding with the bundled model, then encoding + IVF search back to back.
        let model = try ScenarioModelLoader.bundled()
        _ = try model.embedTexts([Self.texts[0]], level: .global)
        var textTimes: [Double] = [], endToEnd: [Double] = [], textCPU: [Double] = [], endToEndCPU: [Double] = []
        for (i, q) in qs.enumerated() {
            t = Date()
            let c = Self.cpuMilliseconds()
            _ = try model.embedTexts([Self.texts[i % Self.texts.count]], level: .global)
            textTimes.append(Date().timeIntervalSince(t) * 1000)
            textCPU.append(Self.cpuMilliseconds() - c)
            _ = try ivf.search(q, k: k, probes: probeSettings[0], candidates: candidates)
            endToEnd.append(Date().timeIntervalSince(t) * 1000)
            endToEndCPU.append(Self.cpuMilliseconds() - c)
        }
        print("text encoding, bundled model (\(model.embeddingWidth)-d): \(Self.summary(textTimes)), \(Self.cpuSummary(textCPU))")
        print("per query incl. text (bundled model + IVF \(probeSettings[0])): \(Self.summary(endToEnd)), \(Self.cpuSummary(endToEndCPU))")

        if vitb32Text {
            let (clip, bytes) = try BenchEngineCommand.randomModel(CLIPConfig())
            let tokenizer = try CLIPTokenizer.bundled()
            let encode = { (text: String) throws -> [Float] in
                try clip.textFeatures([tokenizer.encode(text)]).scalars
            }
            let width = try encode(Self.texts[0]).count
            var vitTimes: [Double] = [], vitEndToEnd: [Double] = [], vitCPU: [Double] = []
            for i in 0..<queries {
                t = Date()
                let c = Self.cpuMilliseconds()
                let vector = try encode(Self.texts[i % Self.texts.count])
                vitTimes.append(Date().timeIntervalSince(t) * 1000)
                vitCPU.append(Self.cpuMilliseconds() - c)
                if width == d { _ = try ivf.search(vector, k: k, probes: probeSettings[0], candidates: candidates) }
                vitEndToEnd.append(Date().timeIntervalSince(t) * 1000)
            }
            print(String(format: "text encoding, ViT-B/32 text tower (random weights, %.0f MB model, 77 tokens): %@, %@",
                         Double(bytes) / 1e6, Self.summary(vitTimes), Self.cpuSummary(vitCPU)))
            if width == d {
                print("per query incl. text (ViT-B/32 text + IVF \(probeSettings[0]) on its 512-d output): \(Self.summary(vitEndToEnd))")
            }
        }
    }

    /// Writes the indexed rows and the (normalised) queries as `collection.npy` and `queries.npy` in `directory`.
    private func export(index: VectorIndex, queries qs: [[Float]], to directory: URL) throws {
        let t = Date()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try NPYFile.write(index.unitRows, to: directory.appendingPathComponent("collection.npy"))
        let unitQueries = try qs.flatMap { try index.normalizedQuery($0) }
        try NPYFile.write(Tensor(shape: [qs.count, dimension], values: unitQueries), to: directory.appendingPathComponent("queries.npy"))
        print(String(format: "exported collection.npy and queries.npy to %@ (%.1f s)", directory.path, Date().timeIntervalSince(t)))
    }

    /// Latencies (ms) and recall@k against `truth` of `search` over `qs`.
    private func measure(_ qs: [[Float]], _ truth: [Set<Int>], _ search: ([Float]) throws -> [SearchHit]) throws -> ([Double], Double, [Double]) {
        var times: [Double] = [], cpu: [Double] = []
        var found = 0
        for (q, want) in zip(qs, truth) {
            let t = Date()
            let c = Self.cpuMilliseconds()
            let hits = try search(q)
            cpu.append(Self.cpuMilliseconds() - c)
            times.append(Date().timeIntervalSince(t) * 1000)
            found += hits.filter { want.contains($0.row) }.count
        }
        return (times, Double(found) / Double(qs.count * k), cpu)
    }

    /// Median time (ms) over `rounds` of summing every value of `rows`, split over all cores: the memory
    /// bandwidth a scan of those rows can reach at best.
    static func readMilliseconds(_ rows: Tensor, rounds: Int) -> Double {
        let parts = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: parts)
        defer { sums.deallocate() }
        // Addresses as integers for the concurrent closure; every part reads its own slice and writes its own sum.
        let sumsAddress = Int(bitPattern: sums)
        var times: [Double] = []
        rows.withUnsafeBufferPointer { values in
            let address = Int(bitPattern: values.baseAddress), count = values.count
            for _ in 0..<rounds {
                let t = Date()
                DispatchQueue.concurrentPerform(iterations: parts) { p in
                    guard let v = UnsafeRawPointer(bitPattern: address) else { return }
                    let end = count * (p + 1) / parts
                    var i = count * p / parts
                    var a = SIMD16<Float>(), b = SIMD16<Float>()
                    while i + 32 <= end {
                        a += v.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                        b += v.loadUnaligned(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                        i += 32
                    }
                    UnsafeMutablePointer<Float>(bitPattern: sumsAddress)?[p] = (a + b).sum()
                }
                times.append(Date().timeIntervalSince(t) * 1000)
            }
        }
        return times.sorted()[times.count / 2]
    }

    /// Process CPU time in milliseconds (all threads of this process).
    static func cpuMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    /// Median of `ms`, formatted as CPU time.
    static func cpuSummary(_ ms: [Double]) -> String {
        String(format: "CPU median %.1f ms", ms.sorted()[ms.count / 2])
    }

    /// `text` padded to a 32-character column; longer labels are kept whole (then one space follows).
    static func label(_ text: String) -> String {
        text.count < 32 ? text.padding(toLength: 32, withPad: " ", startingAt: 0) : text + " "
    }

    static func summary(_ ms: [Double]) -> String {
        let s = ms.sorted()
        let mean = s.reduce(0, +) / Double(s.count)
        return String(format: "mean %.1f ms, median %.1f ms, p90 %.1f ms, min %.1f ms",
                      mean, s[s.count / 2], s[min(s.count - 1, s.count * 9 / 10)], s[0])
    }
}
