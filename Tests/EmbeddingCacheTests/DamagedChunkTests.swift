import Foundation
import GRDB
import Testing

@testable import EmbeddingCache

/// Vector chunks whose declared width, count or slot rows disagree with their blobs (a damaged or hand-edited
/// cache, as the `vectors` fuzz target writes them): reading and writing them gives "the cache is damaged" with
/// the file and the way out, never a trap on an overflowing size or a huge allocation.
@Suite struct DamagedChunkTests {
    static let keys = (0..<8).map { ItemKey(rawValue: "image:\($0)") }

    /// Runs `body` on a cache file holding 8 global items and their f16 vectors of width 4, in one chunk, damaged
    /// by `sql`.
    private func withCache(damagedBy sql: String, _ body: (EmbeddingCache) throws -> Void) throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let cache = try EmbeddingCache.open(at: folder.file("cache.sqlite"))
        try cache.write { batch in
            try batch.replaceAllItems(Self.keys.enumerated().map {
                DatasetItem(sceneID: "s\($0.offset)", level: .global, index: 0, key: $0.element)
            })
            for (i, key) in Self.keys.enumerated() {
                try batch.storeVector(testVector(i, width: 4), for: key, fingerprint: "m", level: .global)
            }
        }
        try cache.writer.write { try $0.execute(sql: sql) }
        try body(cache)
    }

    /// The error of `body`, which must be the cache's "damaged" error naming its file and the way out.
    private func expectDamaged(_ cache: EmbeddingCache, mentioning detail: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected the cache to be reported as damaged")
        } catch let error as EmbeddingCacheError {
            guard case .damaged = error else { Issue.record("expected .damaged, got \(error)"); return }
            #expect(error.description.contains(cache.path), "\(error)")
            #expect(error.description.contains("--cache"), "\(error)")
            #expect(error.description.contains(detail), "\(error)")
        } catch {
            Issue.record("not a cache error: \(error)")
        }
    }

    @Test(arguments: [Int64.max, Int64.max / 2 + 1, 1 << 62, 1 << 40, -4])
    func aHugeOrNegativeDeclaredWidthIsDamageNotAnOverflow(width: Int64) throws {
        try withCache(damagedBy: "UPDATE vector_chunks SET width = \(width)") { cache in
            expectDamaged(cache, mentioning: "rows of width \(width) do not match the chunk's blob sizes") {
                _ = try cache.loadLevel(fingerprint: "m", level: .global)
            }
            expectDamaged(cache, mentioning: "is row 0 of a chunk of 8 rows of width \(width)") {
                _ = try cache.vector(for: Self.keys[0], fingerprint: "m", level: .global)
            }
        }
    }

    @Test(arguments: [Int64.max, Int64.max / 8 + 1, -1])
    func aHugeOrNegativeDeclaredCountIsDamageNotAnOverflow(count: Int64) throws {
        try withCache(damagedBy: "UPDATE vector_chunks SET count = \(count)") { cache in
            expectDamaged(cache, mentioning: "\(count) rows of width 4") {
                _ = try cache.loadLevel(fingerprint: "m", level: .global)
            }
            // Removing vectors from it drops the damaged chunk whole, counting the slots that pointed into it.
            try cache.write { try $0.replaceAllItems([]) }
            #expect(try cache.write { try $0.deleteUnreferencedVectors(fingerprint: "m") } == 8)
            #expect(try cache.storedKeys(fingerprint: "m", level: .global).isEmpty)
        }
    }

    @Test(arguments: [Int64(-1), 8, Int64.max / 4])
    func aSlotRowOutsideItsChunkIsDamageAndIsRewrittenByTheNextStore(row: Int64) throws {
        let sql = "UPDATE vector_slots SET row = \(row) WHERE key_id = (SELECT id FROM item_keys WHERE key = 'image:0')"
        try withCache(damagedBy: sql) { cache in
            expectDamaged(cache, mentioning: "is row \(row) of a chunk of 8 rows of width 4") {
                _ = try cache.vector(for: Self.keys[0], fingerprint: "m", level: .global)
            }
            // Storing the key again does not write at the slot's row: the vector moves to a sound row.
            let vector: [Float] = [0.5, -0.25, 2, 1]
            try cache.write { try $0.storeVector(vector, for: Self.keys[0], fingerprint: "m", level: .global) }
            #expect(try cache.vector(for: Self.keys[0], fingerprint: "m", level: .global) == vector)
            #expect(try cache.loadLevel(fingerprint: "m", level: .global).count == 8)
        }
    }

    @Test func anEmptyChunkWithAHugeWidthHoldsNothingAndAllocatesNothing() throws {
        // Before the sound chunk, so that its width would size the matrix if it were believed.
        let sql = """
            UPDATE vector_chunks SET id = 100;
            UPDATE vector_slots SET chunk = 100;
            INSERT INTO vector_chunks (id, set_id, width, count, key_ids, vectors)
                SELECT 1, id, \(1 << 40), 0, x'', x'' FROM vector_sets
            """
        try withCache(damagedBy: sql) { cache in
            let level = try cache.loadLevel(fingerprint: "m", level: .global)
            #expect(level.count == 8)
            #expect(level.width == 4)
        }
    }

    @Test(arguments: [Int64.max, 1 << 61, -3])
    func searchListsWithAHugeOrNegativeListCountAreDamage(lists: Int64) throws {
        let sql = """
            INSERT INTO vector_lists (set_id, width, lists, centroids, key_ids, assignments, trained_at)
                SELECT id, 4, \(lists), zeroblob(32), x'', x'', 0 FROM vector_sets
            """
        try withCache(damagedBy: sql) { cache in
            expectDamaged(cache, mentioning: "blob sizes do not match \(lists) lists of width 4") {
                _ = try cache.loadLevel(fingerprint: "m", level: .global)
            }
        }
    }

    /// Runs `body` on the 8-item cache after `sql` ran outside a transaction with foreign keys off (so a row can
    /// point at a key that does not exist), then on a second connection that reads the schema anew.
    private func withCache(damagedOutsideTransactionBy sql: String, _ body: (EmbeddingCache) throws -> Void) throws {
        try withCache(damagedBy: "SELECT 1") { cache in
            try cache.writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: sql)
                try db.execute(sql: "PRAGMA foreign_keys = ON")
            }
            try body(try EmbeddingCache.open(at: URL(fileURLWithPath: cache.path)))
        }
    }

    @Test(arguments: [Int64.max, 1 << 60, 1 << 22])
    func anItemWithAHugeKeyIDSizesNoAllocation(key: Int64) throws {
        // A key id past the bound of the dense table; the item has no vector, the other seven keep theirs.
        try withCache(damagedOutsideTransactionBy: "UPDATE items SET key_id = \(key) WHERE position = 3") { cache in
            let level = try cache.loadLevel(fingerprint: "m", level: .global)
            #expect(level.count == 7)
            #expect(level.sceneIDs == ["s0", "s1", "s2", "s4", "s5", "s6", "s7"])
            #expect(level.matrix.scalars == [0, 1, 2, 4, 5, 6, 7].flatMap { testVector($0, width: 4).map { Float(Float16($0)) } })
            // The map stored for those rows lays onto them again, and the item without a key is missing.
            try cache.write { try $0.storeEmbeddingMap([Float](repeating: 1, count: 14), for: level, fingerprint: "m", level: .global, method: "t") }
            let map = try #require(try cache.embeddingMap(fingerprint: "m", level: .global))
            #expect(map.sceneIDs == level.sceneIDs)
            #expect(map.missing == 1)
        }
    }

    @Test(arguments: [Int64.max, 1 << 40])
    func anEmbeddingMapWithAHugeKeyIDSizesNoAllocation(key: Int64) throws {
        try withCache(damagedBy: "SELECT 1") { cache in
            let level = try cache.loadLevel(fingerprint: "m", level: .global)
            try cache.write { try $0.storeEmbeddingMap([Float](repeating: 1, count: 16), for: level, fingerprint: "m", level: .global, method: "t") }
            // The map's first key id replaced by a huge one: that item is missing, the others keep their points.
            try cache.writer.write { db in
                var keys = try #require(try Data.fetchOne(db, sql: "SELECT key_ids FROM embedding_maps"))
                withUnsafeBytes(of: key.littleEndian) { keys.replaceSubrange(0..<8, with: $0) }
                try db.execute(sql: "UPDATE embedding_maps SET key_ids = ?", arguments: [keys])
            }
            let map = try #require(try cache.embeddingMap(fingerprint: "m", level: .global))
            #expect(map.missing == 1)
            #expect(map.sceneIDs == ["s1", "s2", "s3", "s4", "s5", "s6", "s7"])
        }
    }

    @Test(arguments: ["items SET item_index", "items SET scene_id", "vector_chunks SET width", "marks SET note"])
    func aNullWhereTheSchemaSaysNotNullIsDamageNotATrap(update: String) throws {
        // Only a damaged page can hold it: the schema's NOT NULL is lifted to write one.
        let column = update.split(separator: " ").last!
        let sql = """
            INSERT INTO marks (scene_id, target_kind, target_index, verdict, note, updated_at) VALUES ('s0', 'scene', 0, 'wrong', '', 0);
            PRAGMA writable_schema = ON;
            UPDATE sqlite_schema SET sql = replace(sql, '\(column) INTEGER NOT NULL', '\(column) INTEGER')
                WHERE name IN ('items', 'vector_chunks', 'marks');
            UPDATE sqlite_schema SET sql = replace(sql, '\(column) TEXT NOT NULL', '\(column) TEXT')
                WHERE name IN ('items', 'vector_chunks', 'marks');
            PRAGMA writable_schema = OFF;
            """
        try withCache(damagedOutsideTransactionBy: sql) { cache in
            try cache.writer.write { try $0.execute(sql: "UPDATE \(update) = NULL") }
            let reopened = try EmbeddingCache.open(at: URL(fileURLWithPath: cache.path))
            expectDamaged(reopened, mentioning: "a stored value has the wrong type") {
                _ = try reopened.loadLevel(fingerprint: "m", level: .global)
                _ = try reopened.items()
                _ = try reopened.marks()
            }
        }
    }
}
