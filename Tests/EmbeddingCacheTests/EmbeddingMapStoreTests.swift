import Foundation
import GRDB
import Numerics
import Testing

@testable import EmbeddingCache

/// Cached embedding maps follow their items through reordering and added items, and survive reopening the file.
@Suite struct EmbeddingMapStoreTests {
    static func key(_ i: Int) -> ItemKey { .image(ContentHash(hex: String(format: "%02x", i))) }
    static func item(_ scene: String, _ key: Int) -> DatasetItem { DatasetItem(sceneID: scene, level: .object, index: key % 3, key: Self.key(key)) }

    @Test func roundTripOnAFileAcrossReopening() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        let coordinates: [Float] = (0..<12).map { Float($0) * 0.5 - 2 }
        do {
            let cache = try EmbeddingCache.open(at: url)
            #expect(try cache.appliedMigrations().contains(CacheSchema.v4))
            #expect(try cache.embeddingMap(fingerprint: "m", level: .object) == nil)
            try cache.write { batch in
                try batch.replaceAllItems((0..<6).map { Self.item("s\($0)", $0) })
                for i in 0..<6 { try batch.storeVector(testVector(i, width: 4), for: Self.key(i), fingerprint: "m", level: .object) }
            }
            let vectors = try cache.loadLevel(fingerprint: "m", level: .object)
            try cache.write { try $0.storeEmbeddingMap(coordinates, for: vectors, fingerprint: "m", level: .object, method: "test k=3") }
        }
        let reopened = try EmbeddingCache.open(at: url, options: CacheOptions(readOnly: true))
        let map = try #require(try reopened.embeddingMap(fingerprint: "m", level: .object))
        #expect(map.sceneIDs == (0..<6).map { "s\($0)" })
        #expect(map.itemIndices == (0..<6).map { Int32($0 % 3) })
        #expect(map.coordinates == coordinates)
        #expect(map.missing == 0 && map.method == "test k=3")
        // Another model or level has no map.
        #expect(try reopened.embeddingMap(fingerprint: "other", level: .object) == nil)
        #expect(try reopened.embeddingMap(fingerprint: "m", level: .global) == nil)
    }

    @Test func pointsFollowTheirItemsAndNewItemsCountAsMissing() throws {
        let cache = try EmbeddingCache.inMemory(encoding: .f32)
        try cache.write { batch in
            try batch.replaceAllItems((0..<4).map { Self.item("s\($0)", $0) })
            for i in 0..<5 { try batch.storeVector(testVector(i, width: 4), for: Self.key(i), fingerprint: "m", level: .object) }
        }
        let vectors = try cache.loadLevel(fingerprint: "m", level: .object)
        try cache.write { try $0.storeEmbeddingMap([0, 0, 1, 1, 2, 2, 3, 3], for: vectors, fingerprint: "m", level: .object, method: "t") }
        // Reordered, one new item (key 4, never mapped) and a copy sharing key 1's picture.
        try cache.write { try $0.replaceAllItems([Self.item("s3", 3), Self.item("new", 4), Self.item("s0", 0), Self.item("copy", 1)]) }
        let map = try #require(try cache.embeddingMap(fingerprint: "m", level: .object))
        #expect(map.sceneIDs == ["s3", "s0", "copy"])
        #expect(map.coordinates == [3, 3, 0, 0, 1, 1])
        #expect(map.missing == 1)
    }

    @Test func badSizesAreRefusedWithTheirReason() throws {
        let cache = try EmbeddingCache.inMemory(encoding: .f32)
        try cache.write { batch in
            try batch.replaceAllItems([Self.item("s0", 0)])
            try batch.storeVector(testVector(0, width: 4), for: Self.key(0), fingerprint: "m", level: .object)
        }
        let vectors = try cache.loadLevel(fingerprint: "m", level: .object)
        #expect(throws: EmbeddingCacheError.self) {
            try cache.write { try $0.storeEmbeddingMap([1, 2, 3], for: vectors, fingerprint: "m", level: .object, method: "t") }
        }
        // A damaged blob is reported, not read past its end.
        try cache.write { try $0.storeEmbeddingMap([1, 2], for: vectors, fingerprint: "m", level: .object, method: "t") }
        try cache.writer.write { try $0.execute(sql: "UPDATE embedding_maps SET coordinates = x'0000'") }
        do {
            _ = try cache.embeddingMap(fingerprint: "m", level: .object)
            Issue.record("a damaged map was read")
        } catch let error as EmbeddingCacheError {
            #expect("\(error)".contains("embedding map"))
        }
    }
}
