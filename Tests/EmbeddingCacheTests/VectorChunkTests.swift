import Foundation
import GRDB
import Numerics
import Testing

@testable import EmbeddingCache

/// Chunked vector storage: migration from format 1, replacement and deletion across chunks, and the
/// invariant that `vector_slots` points at the row of each chunk holding the key.
@Suite struct VectorChunkTests {
    /// Width at which a chunk holds the minimum of 64 rows in f32 (4096 × 4 bytes × 64 = 1 MB).
    static let wideWidth = 4096

    static func key(_ i: Int) -> ItemKey { .image(ContentHash(hex: String(format: "%04x", i))) }

    /// Every slot names a chunk row whose key id is the slot's key, and every chunk row has one slot.
    static func checkSlots(_ cache: EmbeddingCache) throws {
        try cache.writer.read { db in
            var rowsSeen = 0
            let chunks = try Row.fetchAll(db, sql: "SELECT id, set_id, count, key_ids, vectors, width FROM vector_chunks")
            for chunk in chunks {
                let id: Int64 = chunk[0], set: Int64 = chunk[1], count: Int = chunk[2], keys: Data = chunk[3], vectors: Data = chunk[4]
                let width: Int = chunk[5]
                #expect(keys.count == count * 8)
                #expect(vectors.count == count * width * cache.encoding.bytesPerValue)
                for r in 0..<count {
                    let slot = try Row.fetchOne(
                        db, sql: "SELECT chunk, row FROM vector_slots WHERE set_id = ? AND key_id = ?",
                        arguments: [set, VectorChunkStore.decodedKey(keys, at: r)])
                    #expect(slot?[0] == id && slot?[1] == r, "chunk \(id) row \(r)")
                }
                rowsSeen += count
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM vector_slots") == rowsSeen)
        }
    }

    @Test func aFormat1CacheIsMigratedKeepingEveryVector() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("old.sqlite")
        let width = Self.wideWidth
        // A cache as the format-1 code wrote it: one `vectors` row per vector, items by rowid.
        var expected: [String: [Float]] = [:]
        do {
            let queue = try DatabaseQueue(path: url.path)
            try CacheSchema.migrator.migrate(queue, upTo: CacheSchema.v1)
            try queue.write { db in
                try db.execute(sql: "INSERT INTO schema_info (key, value) VALUES ('vector_encoding', 'f32')")
                for i in 0..<150 {
                    let vector = testVector(i, width: width)
                    expected["m \(Self.key(i).rawValue)"] = vector
                    try db.execute(
                        sql: "INSERT INTO vectors (fingerprint, level, item_key, width, vector) VALUES ('m', 'global', ?, ?, ?)",
                        arguments: [Self.key(i).rawValue, width, VectorEncoding.f32.encode(vector)])
                }
                // Another model's vector, a short one at another level, and a damaged blob.
                try db.execute(
                    sql: "INSERT INTO vectors (fingerprint, level, item_key, width, vector) VALUES ('other', 'global', ?, ?, ?)",
                    arguments: [Self.key(3).rawValue, width, VectorEncoding.f32.encode(testVector(99, width: width))])
                try db.execute(
                    sql: "INSERT INTO vectors (fingerprint, level, item_key, width, vector) VALUES ('m', 'object', ?, 8, ?)",
                    arguments: [Self.key(500).rawValue, VectorEncoding.f32.encode(testVector(500))])
                try db.execute(
                    sql: "INSERT INTO vectors (fingerprint, level, item_key, width, vector) VALUES ('m', 'object', ?, 8, ?)",
                    arguments: [Self.key(501).rawValue, Data([1, 2, 3])])
                // Items in dataset order, scene 7 and 8 sharing one image, key 149 never used.
                for i in (0..<149).reversed() {
                    try db.execute(
                        sql: "INSERT INTO items (scene_id, level, item_index, item_key) VALUES (?, 'global', 0, ?)",
                        arguments: ["s\(i)", Self.key(i == 8 ? 7 : i).rawValue])
                }
                try db.execute(sql: "INSERT INTO items (scene_id, level, item_index, item_key) VALUES ('s0', 'object', 2, ?)",
                               arguments: [Self.key(500).rawValue])
                try db.execute(sql: "INSERT INTO items (scene_id, level, item_index, item_key) VALUES ('s0', 'object', 3, ?)",
                               arguments: [Self.key(501).rawValue])
            }
        }
        let cache = try EmbeddingCache.open(at: url, options: CacheOptions(encoding: .f16))
        #expect(cache.encoding == .f32)
        #expect(try cache.appliedMigrations() == [CacheSchema.v1, CacheSchema.v2, CacheSchema.v3, CacheSchema.v4, CacheSchema.v5])
        #expect(try cache.schemaInfo()["format"] == "5")
        #expect(try cache.vectorCounts().map { "\($0.fingerprint) \($0.level) \($0.count)" } == [
            "m global 150", "m object 1", "other global 1",
        ])
        let chunks = try cache.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM vector_chunks") }
        #expect(chunks == 5)  // 150 wide rows = 64 + 64 + 22, and one chunk each for the two other sets
        try Self.checkSlots(cache)

        let loaded = try cache.loadLevel(fingerprint: "m", level: .global)
        let order = (0..<149).reversed().map { $0 }
        #expect(loaded.sceneIDs == order.map { "s\($0)" })
        #expect(loaded.itemIndices == [Int32](repeating: 0, count: 149))
        #expect(loaded.matrix.scalars == order.flatMap { testVector($0 == 8 ? 7 : $0, width: width) })
        #expect(try cache.vector(for: Self.key(149), fingerprint: "m", level: .global) == testVector(149, width: width))
        #expect(try cache.vector(for: Self.key(3), fingerprint: "other", level: .global) == testVector(99, width: width))
        let objects = try cache.loadLevel(fingerprint: "m", level: .object)
        #expect(objects.sceneIDs == ["s0"] && objects.itemIndices == [2] && objects.matrix.scalars == testVector(500))
        #expect(try cache.items(level: .object).map(\.key) == [Self.key(500), Self.key(501)])
        // The damaged vector is gone, so the next index run embeds it again.
        #expect(try cache.missingKeys([Self.key(500), Self.key(501)], fingerprint: "m", level: .object) == [Self.key(501)])

        // The migrated cache keeps working: appends fill the last chunk, then a new one.
        try cache.write { batch in
            for i in 150..<200 { try batch.storeVector(testVector(i, width: width), for: Self.key(i), fingerprint: "m", level: .global) }
        }
        try Self.checkSlots(cache)
        #expect(try cache.storedKeys(fingerprint: "m", level: .global) == Set((0..<200).map(Self.key)))
        #expect(try cache.vector(for: Self.key(199), fingerprint: "m", level: .global) == testVector(199, width: width))
    }

    @Test(arguments: VectorEncoding.allCases)
    func replacingAndDeletingAcrossChunksKeepsEveryOtherVector(encoding: VectorEncoding) throws {
        let cache = try EmbeddingCache.inMemory(encoding: encoding)
        let width = Self.wideWidth
        var reference: [Int: [Float]] = [:]
        var rng = SystemRandomNumberGenerator()
        var live = Set<Int>()
        // Batches of stores (new keys and replacements), then item lists that drop some keys, pruned.
        for round in 0..<6 {
            try cache.write { batch in
                let fresh = (round * 40)..<(round * 40 + 50)  // overlaps the previous round: replacements
                for i in fresh {
                    let vector = testVector(i * 7 + round, width: width)
                    try batch.storeVector(vector, for: Self.key(i), fingerprint: "m", level: .global)
                    reference[i] = vector
                    live.insert(i)
                }
                let dropped = live.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 }
                live.subtract(dropped)
                try batch.replaceAllItems(live.sorted().map {
                    DatasetItem(sceneID: "s\($0)", level: .global, index: 0, key: Self.key($0))
                })
                #expect(try batch.deleteUnreferencedVectors(fingerprint: "m") == dropped.count)
                for d in dropped { reference[d] = nil }
            }
            try Self.checkSlots(cache)
        }
        let loaded = try cache.loadLevel(fingerprint: "m", level: .global)
        #expect(loaded.sceneIDs == live.sorted().map { "s\($0)" })
        let tolerance: Float = encoding == .f32 ? 0 : 1e-3
        let want = live.sorted().flatMap { reference[$0]! }
        #expect(zip(loaded.matrix.scalars, want).allSatisfy { abs($0 - $1) <= tolerance })
        #expect(try cache.storedKeys(fingerprint: "m", level: .global) == Set(live.map(Self.key)))
    }

    @Test func aKeyStoredAgainWithAnotherWidthMovesToAChunkOfThatWidth() throws {
        let cache = try EmbeddingCache.inMemory(encoding: .f32)
        let a = Self.key(1), b = Self.key(2)
        try cache.write { batch in
            try batch.storeVector(testVector(1), for: a, fingerprint: "m", level: .global)
            try batch.storeVector(testVector(2), for: b, fingerprint: "m", level: .global)
        }
        try cache.write { try $0.storeVector(testVector(3, width: 4), for: a, fingerprint: "m", level: .global) }
        #expect(try cache.vector(for: a, fingerprint: "m", level: .global) == testVector(3, width: 4))
        #expect(try cache.vector(for: b, fingerprint: "m", level: .global) == testVector(2))
        try Self.checkSlots(cache)
    }
}
