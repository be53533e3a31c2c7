import Foundation
import GRDB

/// The SQLite embedding cache of one dataset (WAL mode: any number of readers alongside one writer).
///
/// Image vectors are keyed by (model fingerprint, level, ``ItemKey``) so renamed or moved files reuse
/// their vectors and changed files get new keys. Vectors live in ~1 MB chunks per (fingerprint, level)
/// (``VectorChunkStore``); the `items` table maps the dataset's current scenes to keys, and
/// ``loadLevel(fingerprint:level:)`` reads one level as a contiguous matrix from a few large blob reads. Text vectors of class
/// lists and annotation marks live in the same file.
public final class EmbeddingCache: Sendable {
    /// Where the database lives (`":memory:"` for in-memory caches).
    public let path: String
    /// How vectors are stored in this database.
    public let encoding: VectorEncoding
    let writer: any DatabaseWriter
    let busyTimeout: Double

    private init(path: String, encoding: VectorEncoding, writer: any DatabaseWriter, busyTimeout: Double) {
        self.path = path
        self.encoding = encoding
        self.writer = writer
        self.busyTimeout = busyTimeout
    }

    /// The default cache location of a dataset: `<dataset>/.scenarioclip/cache.sqlite`.
    public static func defaultLocation(forDataset root: URL) -> URL {
        root.appendingPathComponent(".scenarioclip", isDirectory: true)
            .appendingPathComponent("cache.sqlite", isDirectory: false)
    }

    /// A private in-memory cache (for tests and one-off runs).
    public static func inMemory(encoding: VectorEncoding = .f16) throws -> EmbeddingCache {
        let queue = try DatabaseQueue()
        let cache = EmbeddingCache(path: ":memory:", encoding: encoding, writer: queue, busyTimeout: 0)
        return try cache.prepared(requestedEncoding: encoding, readOnly: false)
    }

    /// Opens (creating when needed) the cache database at `url`, creating its folder and migrating its schema.
    /// - Throws: ``EmbeddingCacheError`` — `.readOnly` for an unwritable location, `.notADatabase` for a
    ///   file that is not SQLite, `.damaged` for a truncated or overwritten one, `.locked` when another process holds it past the busy timeout,
    ///   `.newerSchema` for a database from a newer version.
    public static func open(at url: URL, options: CacheOptions = CacheOptions()) throws -> EmbeddingCache {
        let path = url.path
        let folder = url.deletingLastPathComponent()
        let fileManager = FileManager.default
        if options.readOnly {
            guard fileManager.fileExists(atPath: path) else {
                throw EmbeddingCacheError.sqlite(path: path, code: 14, message: "no cache database here", during: "opening read-only")
            }
        } else {
            if !fileManager.fileExists(atPath: folder.path) {
                do {
                    try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
                } catch {
                    throw EmbeddingCacheError.readOnly(path: path, detail: "cannot create folder \(folder.path): \((error as NSError).localizedDescription)")
                }
            }
            if !fileManager.isWritableFile(atPath: folder.path) {
                throw EmbeddingCacheError.readOnly(path: path, detail: "folder \(folder.path) is not writable")
            }
            if fileManager.fileExists(atPath: path) && !fileManager.isWritableFile(atPath: path) {
                throw EmbeddingCacheError.readOnly(path: path, detail: "the file is read-only")
            }
        }
        var configuration = Configuration()
        configuration.readonly = options.readOnly
        configuration.busyMode = .timeout(options.busyTimeout)
        configuration.label = "EmbeddingCache"
        configuration.prepareDatabase { db in
            // Let bulk reads come straight from the page cache.
            try db.execute(sql: "PRAGMA mmap_size = 1073741824")
        }
        let pool: any DatabaseWriter
        do {
            if options.readOnly, let immutable = immutableURI(path) {
                pool = try DatabaseQueue(path: immutable, configuration: configuration)
            } else {
                pool = try DatabasePool(path: path, configuration: configuration)
            }
        } catch {
            throw mapError(error, path: path, busyTimeout: options.busyTimeout, during: "opening")
        }
        let cache = EmbeddingCache(path: path, encoding: options.encoding, writer: pool, busyTimeout: options.busyTimeout)
        return try cache.prepared(requestedEncoding: options.encoding, readOnly: options.readOnly)
    }

    /// An SQLite URI opening `path` as immutable, when nothing can change it: its folder cannot be written
    /// (read-only media, or permissions) and it has no write-ahead log. SQLite cannot read a WAL-mode database
    /// whose `-shm` file is missing and cannot be created, unless told it is immutable.
    private static func immutableURI(_ path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        guard access(folder.isEmpty ? "." : folder, W_OK) != 0 else { return nil }
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        guard wal == 0 else { return nil }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        guard let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
        return "file:" + escaped + "?immutable=1"
    }

    /// Migrates the schema and reads the stored encoding; returns the cache ready for use.
    private func prepared(requestedEncoding: VectorEncoding, readOnly: Bool) throws -> EmbeddingCache {
        let migrator = CacheSchema.migrator
        let stored: String? = try perform("reading the schema") {
            if readOnly {
                return try writer.read { db in
                    if try migrator.hasBeenSuperseded(db) { throw EmbeddingCacheError.newerSchema(path: path) }
                    guard try migrator.hasCompletedMigrations(db) else { throw EmbeddingCacheError.schemaNotReady(path: path) }
                    return try String.fetchOne(db, sql: "SELECT value FROM schema_info WHERE key = 'vector_encoding'")
                }
            }
            try writer.write { db in
                if try migrator.hasBeenSuperseded(db) { throw EmbeddingCacheError.newerSchema(path: path) }
            }
            try migrator.migrate(writer)
            return try writer.write { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO schema_info (key, value) VALUES ('vector_encoding', ?)",
                    arguments: [requestedEncoding.rawValue])
                return try String.fetchOne(db, sql: "SELECT value FROM schema_info WHERE key = 'vector_encoding'")
            }
        }
        guard let stored, let encoding = VectorEncoding(rawValue: stored) else {
            throw EmbeddingCacheError.notADatabase(path: path, detail: "schema_info.vector_encoding is \(stored.map { "'\($0)'" } ?? "missing")")
        }
        if encoding == self.encoding { return self }
        return EmbeddingCache(path: path, encoding: encoding, writer: writer, busyTimeout: busyTimeout)
    }

    /// Schema version and vector encoding as stored in `schema_info`.
    public func schemaInfo() throws -> [String: String] {
        try perform("reading schema_info") {
            try writer.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM schema_info")
                return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as String) })
            }
        }
    }

    /// Names of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try perform("reading migrations") {
            try writer.read { db in try CacheSchema.migrator.appliedMigrations(db) }
        }
    }

    /// Runs `body` in one write transaction: everything it stores is committed together, or nothing
    /// when it throws.
    public func write<T>(_ body: (CacheWriteBatch) throws -> T) throws -> T {
        try perform("writing") {
            try writer.write { db in
                let batch = CacheWriteBatch(db: db, encoding: encoding)
                let result = try body(batch)
                try batch.flush()
                return result
            }
        }
    }

    /// Runs a database operation, turning GRDB errors into ``EmbeddingCacheError``.
    func perform<T>(_ during: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EmbeddingCacheError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // The cache's writes never break its own constraints, so a failed one means damaged pages (an index
            // that no longer matches its table) — unless the integrity check finds nothing.
            if let damage = damageFound() {
                throw EmbeddingCacheError.damaged(path: path, detail: "\(damage); found after \(error.message ?? "a constraint failure") while \(during)")
            }
            throw Self.mapError(error, path: path, busyTimeout: busyTimeout, during: during)
        } catch {
            throw Self.mapError(error, path: path, busyTimeout: busyTimeout, during: during)
        }
    }

    /// The first problems `PRAGMA integrity_check` reports, or `nil` when it says `ok` (or cannot run).
    /// Reads every page: called only after a write failed in a way a sound database cannot fail.
    func damageFound() -> String? {
        guard let lines = try? writer.read({ try String.fetchAll($0, sql: "PRAGMA integrity_check(3)") }) else { return nil }
        return lines == ["ok"] ? nil : "integrity check: " + lines.joined(separator: "; ")
    }

    static func mapError(_ error: Error, path: String, busyTimeout: Double, during: String) -> Error {
        if let error = error as? EmbeddingCacheError { return error }
        // The cache's columns are written with one type each, so a NULL or a value of another type where a number,
        // text or blob belongs is a damaged page.
        if let error = error as? RowDecodingError {
            return EmbeddingCacheError.damaged(path: path, detail: "a stored value has the wrong type (\(error)) while \(during)")
        }
        guard let error = error as? DatabaseError else { return error }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return EmbeddingCacheError.locked(path: path, waited: busyTimeout, during: during)
        case .SQLITE_NOTADB:
            return EmbeddingCacheError.notADatabase(path: path, detail: message)
        case .SQLITE_CORRUPT:
            return EmbeddingCacheError.damaged(path: path, detail: "\(message) while \(during)")
        case .SQLITE_READONLY, .SQLITE_PERM:
            return EmbeddingCacheError.readOnly(path: path, detail: message)
        case .SQLITE_FULL:
            return EmbeddingCacheError.diskFull(path: path, during: during)
        case .SQLITE_CANTOPEN:
            return EmbeddingCacheError.readOnly(path: path, detail: "cannot open the file (\(message))")
        default:
            return EmbeddingCacheError.sqlite(path: path, code: error.resultCode.rawValue, message: message, during: during)
        }
    }
}
