import Foundation
import GRDB
import Numerics
import Testing

@testable import EmbeddingCache

@Suite struct EmbeddingCacheFileTests {
    @Test func defaultLocationTravelsWithTheDataset() {
        let url = EmbeddingCache.defaultLocation(forDataset: URL(fileURLWithPath: "/data/scenes"))
        #expect(url.path == "/data/scenes/.scenarioclip/cache.sqlite")
    }

    @Test func fileCacheUsesWALRecordsMigrationsAndKeepsItsEncoding() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("nested/cache.sqlite")
        let key = ItemKey.image(ContentHash(hex: "aa"))
        do {
            let cache = try EmbeddingCache.open(at: url, options: CacheOptions(encoding: .f32))
            try cache.write { try $0.storeVector(testVector(1), for: key, fingerprint: "m", level: .global) }
            let mode = try cache.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            #expect(try cache.appliedMigrations() == [CacheSchema.v1, CacheSchema.v2, CacheSchema.v3, CacheSchema.v4, CacheSchema.v5])
        }
        // Reopening with another requested encoding keeps the stored one, and the data.
        let reopened = try EmbeddingCache.open(at: url, options: CacheOptions(encoding: .f16))
        #expect(reopened.encoding == .f32)
        #expect(try reopened.vector(for: key, fingerprint: "m", level: .global) == testVector(1))
        let readOnly = try EmbeddingCache.open(at: url, options: CacheOptions(readOnly: true))
        #expect(try readOnly.vector(for: key, fingerprint: "m", level: .global) == testVector(1))
    }

    @Test func renamedFilesReuseVectorsAndChangedFilesAreReembedded() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let image = folder.file("a.jpg")
        try Data("pixels of a".utf8).write(to: image)
        let cache = try EmbeddingCache.open(at: folder.file("cache.sqlite"))
        let key = ItemKey.image(try ContentHash.ofFile(at: image))
        #expect(key.rawValue == "image:" + ContentHash(of: Data("pixels of a".utf8)).hex)
        try cache.write { try $0.storeVector(testVector(1), for: key, fingerprint: "m", level: .global) }

        let moved = folder.url.appendingPathComponent("sub/b.jpg")
        try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: image, to: moved)
        let movedKey = ItemKey.image(try ContentHash.ofFile(at: moved))
        #expect(try cache.missingKeys([movedKey], fingerprint: "m", level: .global).isEmpty)

        try Data("pixels of a, edited".utf8).write(to: moved)
        let changedKey = ItemKey.image(try ContentHash.ofFile(at: moved))
        #expect(try cache.missingKeys([changedKey], fingerprint: "m", level: .global) == [changedKey])
        #expect(throws: EmbeddingCacheError.self) { try ContentHash.ofFile(at: folder.file("missing.jpg")) }
    }

    @Test func contentHashIsSHA256() {
        // FIPS 180-2 test vector for "abc".
        #expect(ContentHash(of: Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func fileHashesAreRememberedPerSizeAndTime() throws {
        let cache = try EmbeddingCache.inMemory()
        let hash = ContentHash(hex: "abc")
        try cache.write { try $0.recordFileHash(hash, path: "/x.jpg", size: 10, modified: 100.5) }
        #expect(try cache.knownFileHash(path: "/x.jpg", size: 10, modified: 100.5) == hash)
        #expect(try cache.knownFileHash(path: "/x.jpg", size: 11, modified: 100.5) == nil)
        #expect(try cache.knownFileHash(path: "/x.jpg", size: 10, modified: 101) == nil)
        #expect(try cache.knownFileHashes()["/x.jpg"]?.hash == hash)
    }

    @Test func marksPersistAcrossRuns() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        do {
            let cache = try EmbeddingCache.open(at: url)
            try cache.upsertMark(AnnotationMark(sceneID: "b", targetKind: .relation, targetIndex: 1, verdict: .wrong, note: "not holding", timestamp: when))
            try cache.upsertMark(AnnotationMark(sceneID: "a", targetKind: .object, targetIndex: 2, verdict: .unsure, timestamp: when))
            try cache.upsertMark(AnnotationMark(sceneID: "a", targetKind: .scene, verdict: .correct, timestamp: when))
            try cache.upsertMark(AnnotationMark(sceneID: "a", targetKind: .object, targetIndex: 2, verdict: .wrong, note: "a mug", timestamp: when))
        }
        let cache = try EmbeddingCache.open(at: url)
        let marks = try cache.marks()
        #expect(marks.map { "\($0.sceneID) \($0.targetKind) \($0.targetIndex) \($0.verdict) \($0.note)" } == [
            "a scene 0 correct ", "a object 2 wrong a mug", "b relation 1 wrong not holding",
        ])
        #expect(marks[0].timestamp == when)
        #expect(try cache.marks(sceneID: "b").count == 1)
        #expect(try cache.deleteMark(sceneID: "a", targetKind: .object, targetIndex: 2))
        #expect(try !cache.deleteMark(sceneID: "a", targetKind: .object, targetIndex: 2))
        #expect(try cache.marks(sceneID: "a").count == 1)
    }

    /// Runs `body` on a GCD thread (never on Swift's cooperative pool, which tests must not block).
    private func onBackgroundThread(_ body: @escaping @Sendable () throws -> Void) -> DispatchGroup {
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            do { try body() } catch { Issue.record(error) }
        }
        return group
    }

    @Test func twoConnectionsReadWhileOneWrites() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        let writer = try EmbeddingCache.open(at: url, options: CacheOptions(encoding: .f32))
        let readers = [try EmbeddingCache.open(at: url), try EmbeddingCache.open(at: url)]
        let first = (0..<3).map { DatasetItem(sceneID: "s\($0)", level: .global, index: 0, key: .image(ContentHash(hex: "\($0)"))) }
        try writer.write { batch in
            try batch.replaceAllItems(first)
            for item in first { try batch.storeVector(testVector(1), for: item.key, fingerprint: "m", level: .global) }
        }
        let insideTransaction = DispatchSemaphore(value: 0)
        let mayCommit = DispatchSemaphore(value: 0)
        let writing = onBackgroundThread {
            try writer.write { batch in
                let more = (3..<6).map { DatasetItem(sceneID: "s\($0)", level: .global, index: 0, key: .image(ContentHash(hex: "\($0)"))) }
                try batch.replaceAllItems(first + more)
                for item in more { try batch.storeVector(testVector(2), for: item.key, fingerprint: "m", level: .global) }
                insideTransaction.signal()
                mayCommit.wait()
            }
        }
        insideTransaction.wait()
        // While the write transaction is open, both readers see the last committed state.
        for reader in readers {
            #expect(try reader.loadLevel(fingerprint: "m", level: .global).count == 3)
        }
        mayCommit.signal()
        writing.wait()
        for reader in readers {
            #expect(try reader.loadLevel(fingerprint: "m", level: .global).sceneIDs == (0..<6).map { "s\($0)" })
        }
    }

    @Test func lockedDatabaseFailsAfterTheBusyTimeoutWithAClearError() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        let holder = try EmbeddingCache.open(at: url)
        let other = try EmbeddingCache.open(at: url, options: CacheOptions(busyTimeout: 0.2))
        let insideTransaction = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let holding = onBackgroundThread {
            try holder.write { batch in
                try batch.upsertMark(AnnotationMark(sceneID: "held", targetKind: .scene, verdict: .unsure))
                insideTransaction.signal()
                release.wait()
            }
        }
        insideTransaction.wait()
        do {
            try other.upsertMark(AnnotationMark(sceneID: "a", targetKind: .scene, verdict: .correct))
            Issue.record("expected a lock error")
        } catch let error as EmbeddingCacheError {
            if case .locked = error {
                #expect(error.description.contains("is locked by another process"))
            } else {
                Issue.record("unexpected \(error)")
            }
        }
        release.signal()
        holding.wait()
        try other.upsertMark(AnnotationMark(sceneID: "a", targetKind: .scene, verdict: .correct))
        #expect(try other.marks().map(\.sceneID) == ["a", "held"])
    }

    @Test func aFileThatIsNotADatabaseIsReported() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: url)
        do {
            _ = try EmbeddingCache.open(at: url)
            Issue.record("expected an error")
        } catch let error as EmbeddingCacheError {
            if case .notADatabase = error {
                #expect(error.description.contains("is not an embedding cache database"))
            } else {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func anUnwritableLocationIsReported() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        try Data("a file".utf8).write(to: folder.file("plain"))
        // A folder cannot be created below a regular file (works even when tests run as root).
        do {
            _ = try EmbeddingCache.open(at: folder.url.appendingPathComponent("plain/sub/cache.sqlite"))
            Issue.record("expected an error")
        } catch let error as EmbeddingCacheError {
            if case .readOnly = error {
                #expect(error.description.contains("give a writable location with --cache"))
            } else {
                Issue.record("unexpected \(error)")
            }
        }
        // A read-only open of a cache that does not exist is an error too.
        #expect(throws: EmbeddingCacheError.self) {
            try EmbeddingCache.open(at: folder.file("none.sqlite"), options: CacheOptions(readOnly: true))
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let url = folder.file("cache.sqlite")
        let cache = try EmbeddingCache.open(at: url)
        try cache.writer.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: future')") }
        do {
            _ = try EmbeddingCache.open(at: url)
            Issue.record("expected an error")
        } catch let error as EmbeddingCacheError {
            if case .newerSchema = error {} else { Issue.record("unexpected \(error)") }
        }
    }
}
