import Crypto
import Foundation
import GRDB

/// A cache written by one shard of a sharded index, and merging such caches into one.
///
/// A shard's cache records its ``ShardSpec`` in `schema_info.shard`. Merging copies stored rows as they are
/// (encoded vectors byte for byte, class-text vectors, remembered file hashes) and every *annotation table*:
/// any table of the source that is not one of ``coreTables``. Annotation tables (`marks`, and any table a later
/// migration adds) are copied row by row through their common columns with `INSERT OR IGNORE`, so a row the
/// target already holds is kept; a new annotation table is merged without changes here.
extension EmbeddingCache {
    /// Tables that hold the cache's own structure; every other table is an annotation table.
    public static let coreTables: Set<String> = [
        "schema_info", "item_keys", "vector_sets", "vector_chunks", "vector_slots", "vector_lists", "text_vectors",
        "items", "file_hashes", "embedding_maps", "grdb_migrations",
    ]

    /// The shard recorded in this cache (`nil` for a cache of a whole dataset).
    public func shard() throws -> ShardSpec? {
        let text: String? = try perform("reading the shard") {
            try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM schema_info WHERE key = 'shard'") }
        }
        guard let text else { return nil }
        do {
            return try ShardSpec(parsing: text)
        } catch {
            throw EmbeddingCacheError.notADatabase(path: path, detail: "schema_info.shard is '\(text)': \(error)")
        }
    }

    /// Records (or, with `nil`, forgets) the shard this cache holds.
    public func recordShard(_ shard: ShardSpec?) throws {
        try perform("recording the shard") {
            try writer.write { db in
                if let shard {
                    try db.execute(sql: "INSERT OR REPLACE INTO schema_info (key, value) VALUES ('shard', ?)", arguments: [shard.description])
                } else {
                    try db.execute(sql: "DELETE FROM schema_info WHERE key = 'shard'")
                }
            }
        }
    }

    /// SHA-256 (hex) of the item table — every (level, scene id, item index, content key) in dataset order — and
    /// its row count. Two caches with the same digest were refreshed from the same dataset content.
    public func itemsDigest() throws -> (digest: String, count: Int) {
        Self.itemsDigest(of: try items())
    }

    /// The digest ``itemsDigest()`` gives once `items` are stored with ``CacheWriteBatch/replaceAllItems(_:)``.
    public static func itemsDigest(of items: [DatasetItem]) -> (digest: String, count: Int) {
        var hasher = SHA256()
        let ordered = items.enumerated().sorted { ($0.element.level.rawValue, $0.offset) < ($1.element.level.rawValue, $1.offset) }
        for (_, item) in ordered {
            hasher.update(data: Data("\(item.level.rawValue)\t\(item.sceneID)\t\(item.index)\t\(item.key.rawValue)\n".utf8))
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), items.count)
    }

    /// Names of this cache's annotation tables (every table not in ``coreTables``), sorted.
    public func annotationTables() throws -> [String] {
        try perform("listing tables") {
            try writer.read { db in try Self.annotationTables(db) }
        }
    }

    static func annotationTables(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .filter { !coreTables.contains($0) }
    }
}

/// What ``CacheWriteBatch/copyContents(of:)`` copied from one cache.
public struct CopiedContents: Sendable, Equatable {
    /// Image vectors per "fingerprint level".
    public var vectors: [String: Int] = [:]
    public var textVectors = 0
    public var fileHashes = 0
    /// Rows offered per annotation table (rows the target already held are kept, not replaced).
    public var annotations: [String: Int] = [:]
}

extension CacheWriteBatch {
    /// Copies the stored rows of `source` into this transaction's cache: image vectors as encoded (byte for
    /// byte; a vector the target holds under the same key is replaced by the identical row), class-text
    /// vectors and file hashes (kept when present), and every annotation table (see
    /// ``EmbeddingCache/coreTables``). `source` must use this cache's vector encoding.
    /// - Throws: ``EmbeddingCacheError/shapeMismatch(detail:)`` for another encoding or an annotation table the
    ///   target lacks; ``EmbeddingCacheError/notADatabase(path:detail:)`` for a damaged chunk of `source`.
    public func copyContents(of source: EmbeddingCache) throws -> CopiedContents {
        guard source.encoding == encoding else {
            throw EmbeddingCacheError.shapeMismatch(
                detail: "\(source.path) stores \(source.encoding.rawValue) vectors, the target \(encoding.rawValue)")
        }
        var copied = CopiedContents()
        let rowBytes = encoding.bytesPerValue
        try source.perform("reading for a merge") {
            try source.writer.read { src in
                var keyOfID: [Int64: String] = [:]
                for row in try Row.fetchAll(src, sql: "SELECT id, key FROM item_keys") {
                    keyOfID[try row.decode(atIndex: 0)] = try row.decode(atIndex: 1)
                }
                let chunks = try Row.fetchCursor(src, sql: """
                    SELECT s.fingerprint, s.level, c.width, c.count, c.key_ids, c.vectors
                    FROM vector_chunks c JOIN vector_sets s ON s.id = c.set_id ORDER BY c.set_id, c.id
                    """)
                while let chunk = try chunks.next() {
                    let fingerprint: String = try chunk.decode(atIndex: 0), level: String = try chunk.decode(atIndex: 1)
                    let width: Int = try chunk.decode(atIndex: 2), count: Int = try chunk.decode(atIndex: 3)
                    let keyIDs: Data = try chunk.decode(atIndex: 4), vectors: Data = try chunk.decode(atIndex: 5)
                    let bytes = width * rowBytes
                    guard width > 0, count >= 0, keyIDs.count == count * 8, vectors.count == count * bytes else {
                        throw EmbeddingCacheError.notADatabase(
                            path: source.path, detail: "a vector chunk of \(fingerprint) \(level) has the wrong size")
                    }
                    for row in 0..<count {
                        var id: Int64 = 0
                        _ = withUnsafeMutableBytes(of: &id) { keyIDs.copyBytes(to: $0, from: (keyIDs.startIndex + row * 8)..<(keyIDs.startIndex + row * 8 + 8)) }
                        guard let key = keyOfID[Int64(littleEndian: id)] else {
                            throw EmbeddingCacheError.notADatabase(
                                path: source.path, detail: "a vector chunk of \(fingerprint) \(level) names key id \(id), which item_keys lacks")
                        }
                        guard let target = try VectorChunkStore.keyID(db, key: key, create: true) else { continue }
                        let start = vectors.startIndex + row * bytes
                        pending.add(keyID: target, row: vectors.subdata(in: start..<(start + bytes)), width: width,
                                    fingerprint: fingerprint, level: level)
                    }
                    copied.vectors["\(fingerprint) \(level)", default: 0] += count
                }
                copied.textVectors = try copyRows(from: src, table: "text_vectors", sourcePath: source.path)
                copied.fileHashes = try copyRows(from: src, table: "file_hashes", sourcePath: source.path)
                for table in try EmbeddingCache.annotationTables(src) {
                    copied.annotations[table] = try copyRows(from: src, table: table, sourcePath: source.path)
                }
            }
        }
        try flush()
        return copied
    }

    /// Copies every row of `table` through the columns both databases share (`INSERT OR IGNORE`); returns the
    /// rows offered.
    private func copyRows(from src: Database, table: String, sourcePath: String) throws -> Int {
        guard try db.tableExists(table) else {
            throw EmbeddingCacheError.shapeMismatch(
                detail: "\(sourcePath) has a table '\(table)' that the target lacks (written by a newer scenarioclip?)")
        }
        let targetColumns = Set(try db.columns(in: table).map(\.name))
        let columns = try src.columns(in: table).map(\.name).filter { targetColumns.contains($0) }
        guard !columns.isEmpty else { return 0 }
        let quoted = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let insert = try db.makeStatement(
            sql: "INSERT OR IGNORE INTO \"\(table)\" (\(quoted)) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))")
        let rows = try Row.fetchCursor(src, sql: "SELECT \(quoted) FROM \"\(table)\"")
        var count = 0
        while let row = try rows.next() {
            try insert.execute(arguments: StatementArguments(row.databaseValues))
            count += 1
        }
        return count
    }
}
