import Foundation
import GRDB
import Testing

@testable import EmbeddingCache

/// Damaged, foreign, full and locked cache files: each gives an ``EmbeddingCacheError`` that names the file and
/// a way out (`--cache`, or delete and rebuild), never a crash.
@Suite struct DamagedCacheTests {
    /// A closed cache at `url` holding `count` global vectors of width 64 (several pages of chunks) and items.
    private func writeCache(at url: URL, count: Int = 400) throws {
        let cache = try EmbeddingCache.open(at: url, options: CacheOptions(encoding: .f32))
        let items = (0..<count).map { DatasetItem(sceneID: "s\($0)", level: .global, index: 0, key: .image(ContentHash(hex: String(format: "%04x", $0)))) }
        try cache.write { batch in
            try batch.replaceAllItems(items)
            for (i, item) in items.enumerated() {
                try batch.storeVector(testVector(i, width: 64), for: item.key, fingerprint: "m", level: .global)
            }
        }
        // Move everything from the WAL into the main file, so damage to the file is damage to the data.
        try cache.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Opens `url` and reads everything in it; returns the cache error raised, failing the test when none is.
    private func errorOpeningAndReading(_ url: URL, options: CacheOptions = CacheOptions()) -> EmbeddingCacheError? {
        do {
            let cache = try EmbeddingCache.open(at: url, options: options)
            _ = try cache.loadLevel(fingerprint: "m", level: .global)
            _ = try cache.marks()
            let items = (0..<400).map { DatasetItem(sceneID: "s\($0)", level: .global, index: 0, key: .image(ContentHash(hex: String(format: "%04x", $0)))) }
            try cache.write { try $0.replaceAllItems(items) }
            Issue.record("expected an error from \(url.path)")
            return nil
        } catch let error as EmbeddingCacheError {
            #expect(error.description.contains(url.path), "\(error)")
            #expect(error.description.contains("--cache"), "\(error)")
            return error
        } catch {
            Issue.record("not a cache error: \(error)")
            return nil
        }
    }

    @Test func aTruncatedCacheIsReportedAsDamaged() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        try writeCache(at: url)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        #expect(size > 64 * 1024)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        let error = errorOpeningAndReading(url)
        guard case .damaged = error else { Issue.record("expected .damaged, got \(String(describing: error))"); return }
        #expect(error!.description.contains("rerun `scenarioclip index` to rebuild it"))
    }

    @Test func overwrittenPagesAreReportedAsDamaged() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        try writeCache(at: url)
        // Garbage over everything after the first page (schema and header intact).
        var bytes = try Data(contentsOf: url)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 4096..<bytes.count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        try bytes.write(to: url)
        let error = errorOpeningAndReading(url)
        guard case .damaged = error else { Issue.record("expected .damaged, got \(String(describing: error))"); return }
    }

    @Test func anOverwrittenHeaderIsNotADatabase() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        try writeCache(at: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 100))
        try handle.close()
        let error = errorOpeningAndReading(url)
        guard case .notADatabase = error else { Issue.record("expected .notADatabase, got \(String(describing: error))"); return }
    }

    @Test func aNewerFormatNamesTheFileAndTheWayOut() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        try writeCache(at: url)
        do {
            let queue = try DatabaseQueue(path: url.path)
            try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: a format from the future')") }
        }
        for options in [CacheOptions(), CacheOptions(readOnly: true)] {
            let error = errorOpeningAndReading(url, options: options)
            guard case .newerSchema = error else { Issue.record("expected .newerSchema, got \(String(describing: error))"); continue }
        }
    }

    /// An index that no longer matches its table (what a damaged index page leaves): the `items` table is
    /// pointed at an empty copy of itself, so its UNIQUE index still lists every row. Rewriting the items then
    /// fails a UNIQUE constraint, which the cache reports as damage found by `PRAGMA integrity_check`.
    @Test func aUniqueFailureFromADamagedIndexIsReportedAsDamage() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        try writeCache(at: url)
        do {
            let queue = try DatabaseQueue(path: url.path)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: """
                    CREATE TABLE spare (level TEXT NOT NULL, position INTEGER NOT NULL, scene_id TEXT NOT NULL,
                        item_index INTEGER NOT NULL, key_id INTEGER NOT NULL, PRIMARY KEY (level, position)) WITHOUT ROWID;
                    PRAGMA writable_schema = ON;
                    UPDATE sqlite_schema SET rootpage = (SELECT rootpage FROM sqlite_schema WHERE name = 'spare') WHERE name = 'items';
                    DELETE FROM sqlite_schema WHERE name = 'spare';
                    PRAGMA writable_schema = OFF;
                    """)
            }
        }
        // The raw failure is what SQLite says…
        do {
            let queue = try DatabaseQueue(path: url.path)
            #expect(throws: DatabaseError.self) {
                try queue.write { try $0.execute(sql: "INSERT INTO items VALUES ('global', 0, 's0', 0, 1)") }
            }
        }
        // …and the cache turns it into a clear message.
        let error = errorOpeningAndReading(url)
        guard case .damaged(_, let detail) = error else { Issue.record("expected .damaged, got \(String(describing: error))"); return }
        #expect(detail.contains("integrity check"))
        #expect(detail.contains("UNIQUE constraint failed"))
    }

    /// A full disk, simulated with `PRAGMA max_page_count`: the write fails with `.diskFull` naming the file, and
    /// what was committed before stays readable.
    @Test func aFullDiskKeepsTheCommittedBatches() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        let cache = try EmbeddingCache.open(at: url, options: CacheOptions(encoding: .f32))
        let key = ItemKey.image(ContentHash(hex: "0001"))
        try cache.write { try $0.storeVector(testVector(1, width: 64), for: key, fingerprint: "m", level: .global) }
        let pages = try cache.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_count") } ?? 0
        try cache.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages + 4)") }
        do {
            try cache.write { batch in
                for i in 2..<5000 {
                    try batch.storeVector(testVector(i, width: 64), for: .image(ContentHash(hex: String(format: "%04x", i))),
                                          fingerprint: "m", level: .global)
                }
            }
            Issue.record("expected a full disk")
        } catch let error as EmbeddingCacheError {
            guard case .diskFull = error else { Issue.record("expected .diskFull, got \(error)"); return }
            #expect(error.description.contains(url.path))
            #expect(error.description.contains("free some space"))
        }
        #expect(try cache.vector(for: key, fingerprint: "m", level: .global) == testVector(1, width: 64))
        let check = try cache.writer.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(check == ["ok"])
    }

    /// Another connection in `locking_mode = EXCLUSIVE` holding the file: opening waits the busy timeout and then
    /// says who to wait for.
    @Test func anExclusivelyLockedCacheIsReportedAsLocked() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        try writeCache(at: url, count: 10)
        var configuration = Configuration()
        configuration.prepareDatabase { try $0.execute(sql: "PRAGMA locking_mode = EXCLUSIVE") }
        let holder = try DatabaseQueue(path: url.path, configuration: configuration)
        try holder.write { try $0.execute(sql: "UPDATE schema_info SET value = value WHERE key = 'format'") }
        let started = Date()
        let error = errorOpeningAndReading(url, options: CacheOptions(busyTimeout: 0.3))
        guard case .locked = error else { Issue.record("expected .locked, got \(String(describing: error))"); return }
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(error!.description.contains("wait for the other scenarioclip command to finish"))
        try holder.close()
        #expect(try EmbeddingCache.open(at: url).loadLevel(fingerprint: "m", level: .global).count == 10)
    }
}
