import Numerics
import Retrieval
import Synthetic
import Testing

/// Pairs above a threshold through IVF lists probed per row, against all pairs.
@Suite struct SimilarPairsTests {
    /// Clustered unit vectors with a noisy copy of every 25th row.
    func collection(count: Int, noise: Float) throws -> VectorIndex {
        let gen = SyntheticEmbeddings(dimension: 24, clusters: 40, seed: 5)
        return try VectorIndex(dimension: 24, count: count, compact: false) { i, row in
            gen.write(item: i % 25 == 24 ? i - 1 : i, into: row)
            if i % 25 == 24 {
                let jitter = gen.vector(item: i, stream: 2)
                for j in 0..<24 { row[j] += noise * jitter[j] }
            }
        }
    }

    func keys(_ pairs: [SimilarPairs.Pair]) -> [[Int]] { pairs.map { [$0.first, $0.second] } }

    @Test func probingEveryListFindsExactlyTheExactPairs() throws {
        let base = try collection(count: 3_000, noise: 0.3)
        let centroids = IVFIndex.trainCentroids(base: base, lists: 12)
        let exact = SimilarPairs.search(base, threshold: 0.9, perRow: 3_000, exact: true)
        let listed = SimilarPairs.search(base, threshold: 0.9, perRow: 3_000, centroids: centroids, probes: 12, exact: false)
        #expect(!exact.isEmpty)
        #expect(keys(listed) == keys(exact))
        for (a, b) in zip(listed, exact) { #expect(abs(a.similarity - b.similarity) < 1e-5) }
        #expect(exact.allSatisfy { $0.first < $0.second && $0.similarity >= 0.9 })
    }

    @Test func fewProbesStillMeetCopiesAcrossListBorders() throws {
        let base = try collection(count: 3_000, noise: 0.3)
        let centroids = IVFIndex.trainCentroids(base: base, lists: 40)
        let planted = Set(stride(from: 24, to: 3_000, by: 25).map { [$0 - 1, $0] })
        let exactPlanted = planted.intersection(keys(SimilarPairs.search(base, threshold: 0.9, exact: true)))
        // Copies that landed in another list than their original: the case a list-against-list search misses.
        let assignment = IVFIndex.assign(base: base, centroids: centroids)
        let crossing = exactPlanted.filter { assignment[$0[0]] != assignment[$0[1]] }
        #expect(!crossing.isEmpty, "the noise should move some copies across a list border")
        let listed = Set(keys(SimilarPairs.search(base, threshold: 0.9, centroids: centroids, probes: 4, exact: false)))
        #expect(exactPlanted.isSubset(of: listed), "\(exactPlanted.subtracting(listed).count) of \(exactPlanted.count) missed")
    }

    @Test func aRowIsNeverItsOwnPairAndTinyInputsGiveNone() throws {
        let one = try collection(count: 1, noise: 0)
        #expect(SimilarPairs.search(one, threshold: 0).isEmpty)
        let base = try collection(count: 200, noise: 0)
        let pairs = SimilarPairs.search(base, threshold: 0.999, centroids: IVFIndex.trainCentroids(base: base, lists: 4), probes: 2, exact: false)
        #expect(pairs.allSatisfy { $0.first != $0.second })
        #expect(Set(keys(pairs)).isSuperset(of: Set(stride(from: 24, to: 200, by: 25).map { [$0 - 1, $0] })))
    }
}
