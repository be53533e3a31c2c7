import Numerics
import Synthetic
import Testing

@testable import Retrieval

@Suite struct IVFIndexTests {
    static let dimension = 32

    /// A clustered collection of `count` rows (unit vectors from ``SyntheticEmbeddings``).
    static func collection(_ count: Int, seed: UInt64 = 5) throws -> (SyntheticEmbeddings, VectorIndex) {
        let gen = SyntheticEmbeddings(dimension: dimension, clusters: 40, spread: 0.8, seed: seed)
        let index = try VectorIndex(dimension: dimension, count: count, compact: false) { i, row in gen.write(item: i, into: row) }
        return (gen, index)
    }

    @Test func recallAgainstExactSearchOnAClusteredSet() throws {
        let (gen, base) = try Self.collection(4000)
        let ivf = try IVFIndex.build(over: base, lists: 32)
        #expect(ivf.lists == 32 && ivf.unassignedCount == 0 && !ivf.isStale)
        var found = 0, total = 0
        for i in 0..<40 {
            let q = gen.vector(item: i, stream: 1)
            let exact = try base.exactSearch(q, k: 10)
            let approx = try ivf.search(q, k: 10)
            #expect(approx.count == 10)
            found += approx.filter { hit in exact.contains { $0.row == hit.row } }.count
            total += 10
            // Scores of returned rows are exact Float32 scores.
            let all = try base.exactSearch(q, k: 4000)
            for hit in approx { #expect(abs(hit.score - all.first { $0.row == hit.row }!.score) < 1e-5) }
            // Probing every list finds exactly what exact search finds.
            #expect(try ivf.search(q, k: 10, probes: 32, candidates: 4000).map(\.row) == exact.map(\.row))
        }
        #expect(Double(found) / Double(total) >= 0.99, "recall@10 = \(Double(found) / Double(total))")
    }

    /// Enough probed rows for the int8 scan to be split over the cores (of a multi-core machine): probing every
    /// list with every row a candidate still returns exactly what exact search returns.
    @Test func aScanSplitOverThreadsFindsWhatExactSearchFinds() throws {
        let (gen, base) = try Self.collection(3 * CompactCodes.minimumRowsPerThread)
        let ivf = try IVFIndex.build(over: base, lists: 6)
        for i in 0..<5 {
            let q = gen.vector(item: i, stream: 1)
            let exact = try base.exactSearch(q, k: 10)
            let all = try ivf.search(q, k: 10, probes: 6, candidates: base.count)
            #expect(all.map(\.row) == exact.map(\.row))
            for (a, e) in zip(all, exact) { #expect(abs(a.score - e.score) < 1e-5) }
        }
    }

    @Test func rowsAddedAfterTrainingAreFoundAndTooManyMakeTheIndexStale() throws {
        let (_, trained) = try Self.collection(3000)
        let centroids = IVFIndex.trainCentroids(base: trained, lists: 24)
        let old = IVFIndex.assign(base: trained, centroids: centroids)
        // 200 more rows (under 10 %): unassigned, scanned by every query.
        let (gen, grown) = try Self.collection(3200)
        let ivf = try IVFIndex(base: grown, centroids: centroids, assignments: old + [Int32](repeating: -1, count: 200))
        #expect(ivf.unassignedCount == 200 && !ivf.isStale)
        for row in [3000, 3105, 3199] {
            let hits = try ivf.search(gen.vector(item: row), k: 5, probes: 1)
            #expect(hits.first?.row == row)
            #expect(abs(hits.first!.score - 1) < 1e-5)
        }
        // 1000 more (over 10 %): stale, so the base index answers (exact here).
        let (gen2, bigger) = try Self.collection(4000)
        let stale = try IVFIndex(base: bigger, centroids: centroids, assignments: old + [Int32](repeating: -1, count: 1000))
        #expect(stale.isStale)
        let q = gen2.vector(item: 7, stream: 1)
        #expect(try stale.search(q, k: 10) == (try bigger.exactSearch(q, k: 10)))
    }

    @Test func trainingIsDeterministicAndAssignmentsUseTheNearestCentroid() throws {
        let (_, base) = try Self.collection(2000)
        let a = IVFIndex.trainCentroids(base: base, lists: 16, seed: 3)
        #expect(a == IVFIndex.trainCentroids(base: base, lists: 16, seed: 3))
        #expect(a.count == 16 * Self.dimension)
        let lists = IVFIndex.assign(base: base, centroids: a)
        for row in stride(from: 0, to: 2000, by: 97) {
            let v = base.vector(at: row)
            let scores = (0..<16).map { l in zip(v, a[(l * Self.dimension)..<((l + 1) * Self.dimension)]).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
            #expect(scores[Int(lists[row])] >= scores.max()! - 1e-5)
        }
    }

    @Test func badLayoutsAreErrors() throws {
        let (_, base) = try Self.collection(100)
        let centroids = [Float](repeating: 0.5, count: 4 * Self.dimension)
        #expect(throws: RetrievalError.self) { try IVFIndex(base: base, centroids: centroids, assignments: [0]) }
        #expect(throws: RetrievalError.self) {
            try IVFIndex(base: base, centroids: centroids, assignments: [Int32](repeating: 4, count: 100))
        }
        #expect(throws: RetrievalError.self) {
            try IVFIndex(base: base, centroids: [Float](repeating: 0, count: 4 * Self.dimension), assignments: [Int32](repeating: 0, count: 100))
        }
        #expect(throws: RetrievalError.self) { try IVFIndex(base: base, centroids: [1, 2, 3], assignments: [Int32](repeating: 0, count: 100)) }
    }
}
