import Foundation
import GRDB
import Numerics
import Testing

@testable import EmbeddingCache

/// Stored IVF layouts follow the rows they were trained on through reordering, added and shared keys.
@Suite struct SearchListsStoreTests {
    static func key(_ i: Int) -> ItemKey { .image(ContentHash(hex: String(format: "%02x", i))) }
    static func item(_ scene: String, _ key: Int) -> DatasetItem { DatasetItem(sceneID: scene, level: .global, index: 0, key: Self.key(key)) }

    @Test func listsAreMappedOntoTheRowsOfEachLoad() throws {
        let cache = try EmbeddingCache.inMemory(encoding: .f32)
        try cache.write { batch in
            try batch.replaceAllItems((0..<10).map { Self.item("s\($0)", $0) })
            for i in 0..<10 { try batch.storeVector(testVector(i, width: 4), for: Self.key(i), fingerprint: "m", level: .global) }
        }
        let first = try cache.loadLevel(fingerprint: "m", level: .global)
        #expect(first.searchLists == nil)
        let centroids: [Float] = [1, 0, 0, 0, 0, 1, 0, 0]
        let assignments: [Int32] = (0..<10).map { $0 == 3 ? -1 : Int32($0 % 2) }
        try cache.write { batch in
            try batch.storeSearchLists(SearchLists(lists: 2, centroids: centroids, assignments: assignments), for: first,
                                       fingerprint: "m", level: .global)
        }
        let again = try cache.loadLevel(fingerprint: "m", level: .global)
        #expect(again.searchLists == SearchLists(lists: 2, centroids: centroids, assignments: assignments))
        #expect(again.searchLists?.unassignedCount == 1)

        // Reordered items, a new key (unassigned) and a scene sharing key 4's picture.
        try cache.write { batch in
            try batch.replaceAllItems((0..<10).reversed().map { Self.item("s\($0)", $0) } + [Self.item("new", 10), Self.item("copy", 4)])
            try batch.storeVector(testVector(10, width: 4), for: Self.key(10), fingerprint: "m", level: .global)
        }
        let moved = try cache.loadLevel(fingerprint: "m", level: .global)
        #expect(moved.sceneIDs == (0..<10).reversed().map { "s\($0)" } + ["new", "copy"])
        #expect(moved.searchLists?.assignments == (0..<10).reversed().map { assignments[$0] } + [-1, 0])
        #expect(moved.searchLists?.unassignedCount == 2)

        // Rows left out of a load (no vector yet) leave the mapping of the others intact.
        try cache.write { try $0.replaceAllItems([Self.item("s1", 1), Self.item("pending", 42), Self.item("s2", 2)]) }
        let partial = try cache.loadLevel(fingerprint: "m", level: .global)
        #expect(partial.sceneIDs == ["s1", "s2"] && partial.searchLists?.assignments == [1, 0])

        // Vectors of another width make the stored lists inapplicable.
        try cache.write { batch in
            for i in 0..<11 { try batch.storeVector(testVector(i, width: 6), for: Self.key(i), fingerprint: "m", level: .global) }
        }
        #expect(try cache.loadLevel(fingerprint: "m", level: .global).searchLists == nil)
    }

    @Test func listsThatDoNotFitTheirRowsAreRefused() throws {
        let cache = try EmbeddingCache.inMemory()
        try cache.write { batch in
            try batch.replaceAllItems([Self.item("a", 1)])
            try batch.storeVector(testVector(1, width: 4), for: Self.key(1), fingerprint: "m", level: .global)
        }
        let loaded = try cache.loadLevel(fingerprint: "m", level: .global)
        let lists = SearchLists(lists: 1, centroids: [1, 0, 0, 0], assignments: [0])
        #expect(throws: EmbeddingCacheError.self) {
            try cache.write { try $0.storeSearchLists(SearchLists(lists: 1, centroids: [1, 0], assignments: [0]), for: loaded, fingerprint: "m", level: .global) }
        }
        #expect(throws: EmbeddingCacheError.self) {
            try cache.write { try $0.storeSearchLists(SearchLists(lists: 1, centroids: [1, 0, 0, 0], assignments: [0, 0]), for: loaded, fingerprint: "m", level: .global) }
        }
        // A matrix that was not loaded from the cache has no keys to store lists for.
        let handMade = LevelVectors(matrix: loaded.matrix, sceneIDs: loaded.sceneIDs, itemIndices: loaded.itemIndices)
        #expect(throws: EmbeddingCacheError.self) {
            try cache.write { try $0.storeSearchLists(lists, for: handMade, fingerprint: "m", level: .global) }
        }
        try cache.write { try $0.storeSearchLists(lists, for: loaded, fingerprint: "m", level: .global) }
        #expect(try cache.loadLevel(fingerprint: "m", level: .global).searchLists == lists)
    }
}
