import Foundation
import Retrieval
import SceneWorkspace
import Synthetic
import Testing

/// Near-duplicate pairs found through IVF lists (above the exact limit) equal the pairs an exact search finds.
@Suite struct DuplicateFinderTests {
    /// `count` clustered unit vectors in which every 40th is a slightly moved copy of the one before.
    func collection(count: Int) throws -> VectorIndex {
        let gen = SyntheticEmbeddings(dimension: 32, clusters: 200, seed: 9)
        return try VectorIndex(dimension: 32, count: count, compact: false) { i, row in
            gen.write(item: i % 40 == 39 ? i - 1 : i, into: row)
            if i % 40 == 39 {
                let jitter = gen.vector(item: i, stream: 2)
                for j in 0..<32 { row[j] += 0.05 * jitter[j] }
            }
        }
    }

    @Test func pairsThroughListsEqualExactPairsAndGroupPlantedCopies() throws {
        let base = try collection(count: DuplicateFinder.exactLimit + 4_000)
        let threshold: Float = 0.99
        let listed = try DuplicateFinder.pairs(base: base, threshold: threshold)
        let lists = try IVFIndex.build(over: base)
        let stored = try DuplicateFinder.pairs(base: base, lists: lists, threshold: threshold)

        // Every planted copy, and the exact answer for a sample of rows.
        let planted = Set(stride(from: 39, to: base.count, by: 40).map { [$0 - 1, $0] })
        for pairs in [listed, stored] {
            #expect(planted.isSubset(of: Set(pairs.map { [$0.first, $0.second] })))
        }
        let sample = Array(stride(from: 0, to: base.count, by: 97))
        let exact = try base.exactSearch(queries: sample.map { base.vector(at: $0) }, k: DuplicateFinder.neighbours + 1)
        let found = Set(listed.map { [$0.first, $0.second] })
        for (row, hits) in zip(sample, exact) {
            for hit in hits where hit.row != row && hit.score >= threshold {
                #expect(found.contains([min(row, hit.row), max(row, hit.row)]), "row \(row) ~ \(hit.row) at \(hit.score)")
            }
        }
        let groups = DuplicateFinder.groups(count: base.count, pairs: listed)
        #expect(groups.count >= planted.count)
        #expect(groups.allSatisfy { $0.similarity >= threshold && $0.members.count >= 2 })
    }
}
