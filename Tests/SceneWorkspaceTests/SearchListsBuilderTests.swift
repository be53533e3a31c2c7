import EmbeddingCache
import Foundation
import Numerics
import Retrieval
import ScenarioModel
import Scenes
import Synthetic
import Testing
@testable import SceneWorkspace

/// IVF lists trained from a cache, kept while fresh, retrained when stale, and used by `Workspace.search`.
@Suite struct SearchListsBuilderTests {
    static let width = 32
    static let generator = SyntheticEmbeddings(dimension: width, clusters: 30, spread: 0.8, seed: 9)

    /// Adds rows `range` of the synthetic collection as scenes `s<i>` (items list every row so far).
    static func add(_ range: Range<Int>, to cache: EmbeddingCache, fingerprint: String) throws {
        try cache.write { batch in
            for i in range {
                try batch.storeVector(generator.vector(item: i), for: .image(ContentHash(hex: String(i, radix: 16))),
                                      fingerprint: fingerprint, level: .global)
            }
            try batch.replaceAllItems((0..<range.upperBound).map {
                DatasetItem(sceneID: "s\($0)", level: .global, index: 0, key: .image(ContentHash(hex: String($0, radix: 16))))
            })
        }
    }

    @Test func listsAreTrainedKeptWhileFreshAndRetrainedWhenStale() throws {
        let cache = try EmbeddingCache.inMemory(encoding: .f32)
        let model = ColourEmbedder(fingerprint: "synthetic")
        try Self.add(0..<3000, to: cache, fingerprint: model.fingerprint)
        let first = try SearchListsBuilder.refresh(cache: cache, fingerprint: model.fingerprint, minimumRows: 1000)
        #expect(first.map(\.lists) == [IVFIndex.defaultLists(count: 3000), 0, 0])  // object/relation: no vectors
        let loaded = try cache.loadLevel(fingerprint: model.fingerprint, level: .global)
        #expect(loaded.searchLists?.unassignedCount == 0 && loaded.searchLists?.lists == 55)

        // The workspace searches through the lists; results match exact search within the recall bound.
        let dataset = SceneDataset(root: URL(fileURLWithPath: "/nonexistent"), records: [])
        let workspace = Workspace(dataset: dataset, cache: cache, model: model, listsMinimumRows: 1000)
        let ivf = try #require(try workspace.listIndex(.global))
        #expect(try !ivf.isStale && !workspace.index(.global).isCompact)
        var found = 0
        for q in 0..<30 {
            let query = Self.generator.vector(item: q, stream: 1)
            let exact = Set(try workspace.index(.global).exactSearch(query, k: 10).map { "s\($0.row)" })
            found += try workspace.search(vector: query, level: .global, k: 10).filter { exact.contains($0.sceneID) }.count
        }
        #expect(Double(found) / 300 >= 0.99)

        // 200 more rows (≤ 10 %): lists kept; the new rows are unassigned but found.
        try Self.add(3000..<3200, to: cache, fingerprint: model.fingerprint)
        #expect(try SearchListsBuilder.refresh(cache: cache, fingerprint: model.fingerprint, levels: [.global], minimumRows: 1000)
            .map(\.lists) == [0])
        workspace.reload()
        #expect(try workspace.listIndex(.global)?.unassignedCount == 200)
        let added = try workspace.search(vector: Self.generator.vector(item: 3150), level: .global, k: 1)
        #expect(added.first?.sceneID == "s3150")

        // 400 more (over 10 %): the workspace stops using the stale lists, a refresh retrains them.
        try Self.add(3200..<3600, to: cache, fingerprint: model.fingerprint)
        workspace.reload()
        #expect(try workspace.listIndex(.global) == nil)
        #expect(try workspace.search(vector: Self.generator.vector(item: 3500), level: .global, k: 1).first?.sceneID == "s3500")
        let retrained = try SearchListsBuilder.refresh(cache: cache, fingerprint: model.fingerprint, levels: [.global], minimumRows: 1000)
        #expect(retrained.first?.unassignedBefore == 600 && retrained.first?.lists == IVFIndex.defaultLists(count: 3600))
        workspace.reload()
        #expect(try workspace.listIndex(.global)?.unassignedCount == 0)
    }

    @Test func smallLevelsGetNoLists() throws {
        let cache = try EmbeddingCache.inMemory()
        try Self.add(0..<50, to: cache, fingerprint: "m")
        #expect(try SearchListsBuilder.refresh(cache: cache, fingerprint: "m", levels: [.global]).map(\.lists) == [0])
        #expect(try cache.loadLevel(fingerprint: "m", level: .global).searchLists == nil)
    }
}
