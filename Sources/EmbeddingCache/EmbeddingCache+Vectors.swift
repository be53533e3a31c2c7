import Foundation
import GRDB
import Numerics

extension EmbeddingCache {
    /// One stored image vector, or `nil`.
    public func vector(for key: ItemKey, fingerprint: String, level: CacheLevel) throws -> [Float]? {
        let found: (Int, Data)? = try perform("reading a vector") {
            try writer.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT width, vector FROM vectors WHERE fingerprint = ? AND level = ? AND item_key = ?",
                    arguments: [fingerprint, level.rawValue, key.rawValue]
                ).map { ($0[0], $0[1]) }
            }
        }
        guard let (width, blob) = found else { return nil }
        guard let values = encoding.decode(blob), values.count == width else {
            throw EmbeddingCacheError.badVector(fingerprint: fingerprint, level: level.rawValue, key: key.rawValue,
                                               detail: "\(blob.count) bytes for width \(width) (\(encoding.rawValue))")
        }
        return values
    }

    /// Keys stored for (fingerprint, level).
    public func storedKeys(fingerprint: String, level: CacheLevel) throws -> Set<ItemKey> {
        try perform("listing stored vectors") {
            try writer.read { db in
                var keys = Set<ItemKey>()
                let cursor = try String.fetchCursor(
                    db, sql: "SELECT item_key FROM vectors WHERE fingerprint = ? AND level = ?",
                    arguments: [fingerprint, level.rawValue])
                while let key = try cursor.next() { keys.insert(ItemKey(rawValue: key)) }
                return keys
            }
        }
    }

    /// Of `keys`, those without a stored vector for (fingerprint, level), in the given order.
    public func missingKeys(_ keys: [ItemKey], fingerprint: String, level: CacheLevel) throws -> [ItemKey] {
        let stored = try storedKeys(fingerprint: fingerprint, level: level)
        return keys.filter { !stored.contains($0) }
    }

    /// Number of stored image vectors per (fingerprint, level).
    public func vectorCounts() throws -> [(fingerprint: String, level: CacheLevel, count: Int)] {
        try perform("counting vectors") {
            try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT fingerprint, level, count(*) FROM vectors GROUP BY fingerprint, level ORDER BY fingerprint, level")
                    .compactMap { row in
                        CacheLevel(rawValue: row[1]).map { (fingerprint: row[0], level: $0, count: row[2]) }
                    }
            }
        }
    }

    /// Every vector of (fingerprint, level) for the dataset's current items, as one matrix in item order.
    /// Items whose vector is not cached yet are left out.
    ///
    /// One SQL join over `items` and `vectors`; blobs are decoded straight into the matrix.
    /// - Throws: ``EmbeddingCacheError/badVector(fingerprint:level:key:detail:)`` for a damaged blob or
    ///   vectors of different widths.
    public func loadLevel(fingerprint: String, level: CacheLevel) throws -> LevelVectors {
        let encoding = self.encoding
        return try perform("loading vectors") {
            try writer.read { db in
                let upperBound = try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE level = ?", arguments: [level.rawValue]) ?? 0
                var sceneIDs: [String] = []
                var indices: [Int32] = []
                sceneIDs.reserveCapacity(upperBound)
                indices.reserveCapacity(upperBound)
                var storage: TensorStorage?
                var width = 0
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT i.scene_id, i.item_index, v.width, v.vector, i.item_key FROM items i
                        JOIN vectors v ON v.fingerprint = ? AND v.level = i.level AND v.item_key = i.item_key
                        WHERE i.level = ? ORDER BY i.rowid
                        """,
                    arguments: [fingerprint, level.rawValue])
                while let row = try rows.next() {
                    let rowWidth: Int = row[2]
                    if storage == nil {
                        width = rowWidth
                        storage = TensorStorage(zeroedCount: upperBound * width)
                    }
                    let n = sceneIDs.count
                    let ok = try row.withUnsafeData(atIndex: 3) { data -> Bool in
                        guard rowWidth == width, let data else { return false }
                        return data.withUnsafeBytes { encoding.decode($0, width: width, into: storage!.pointer + n * width) }
                    }
                    guard ok else {
                        throw EmbeddingCacheError.badVector(
                            fingerprint: fingerprint, level: level.rawValue, key: row[4],
                            detail: rowWidth == width ? "blob size does not match width \(width)" : "width \(rowWidth), other vectors have \(width)")
                    }
                    sceneIDs.append(row[0])
                    indices.append(Int32(truncatingIfNeeded: row[1] as Int))
                }
                let count = sceneIDs.count
                let matrix: Tensor
                if let storage {
                    matrix = count == upperBound
                        ? Tensor(shape: [count, width], storage: storage)
                        : Tensor(shape: [count, width], storage: TensorStorage(borrowing: storage.pointer, count: count * width, owner: storage))
                } else {
                    matrix = Tensor(zeros: [0, 0])
                }
                return LevelVectors(matrix: matrix, sceneIDs: sceneIDs, itemIndices: indices)
            }
        }
    }

    /// Cached text vectors of (fingerprint, level) for `texts`; texts not cached are absent from the result.
    public func textVectors(_ texts: [String], fingerprint: String, level: CacheLevel) throws -> [String: [Float]] {
        let encoding = self.encoding
        return try perform("reading text vectors") {
            try writer.read { db in
                var result: [String: [Float]] = [:]
                let statement = try db.cachedStatement(
                    sql: "SELECT width, vector FROM text_vectors WHERE fingerprint = ? AND level = ? AND text = ?")
                for text in texts where result[text] == nil {
                    guard let row = try Row.fetchOne(statement, arguments: [fingerprint, level.rawValue, text]) else { continue }
                    let width: Int = row[0]
                    guard let values = encoding.decode(row[1] as Data), values.count == width else {
                        throw EmbeddingCacheError.badVector(fingerprint: fingerprint, level: level.rawValue, key: "text \"\(text)\"",
                                                           detail: "blob does not hold \(width) values")
                    }
                    result[text] = values
                }
                return result
            }
        }
    }

    /// The dataset items of `level` (all levels when `nil`), in dataset order.
    public func items(level: CacheLevel? = nil) throws -> [DatasetItem] {
        try perform("reading items") {
            try writer.read { db in
                let sql = "SELECT scene_id, level, item_index, item_key FROM items"
                    + (level == nil ? "" : " WHERE level = ?") + " ORDER BY rowid"
                return try Row.fetchAll(db, sql: sql, arguments: level.map { [$0.rawValue] } ?? []).compactMap { row in
                    CacheLevel(rawValue: row[1]).map {
                        DatasetItem(sceneID: row[0], level: $0, index: row[2], key: ItemKey(rawValue: row[3]))
                    }
                }
            }
        }
    }

    /// The remembered hash of a file if it still has this size and modification time.
    public func knownFileHash(path: String, size: Int, modified: Double) throws -> ContentHash? {
        try perform("reading file hashes") {
            try writer.read { db in
                try String.fetchOne(
                    db, sql: "SELECT hash FROM file_hashes WHERE path = ? AND size = ? AND mtime = ?",
                    arguments: [path, size, modified]
                ).map(ContentHash.init(hex:))
            }
        }
    }

    /// All remembered file hashes by path, with the size and modification time they were taken at.
    public func knownFileHashes() throws -> [String: (size: Int, modified: Double, hash: ContentHash)] {
        try perform("reading file hashes") {
            try writer.read { db in
                var result: [String: (size: Int, modified: Double, hash: ContentHash)] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT path, size, mtime, hash FROM file_hashes")
                while let row = try rows.next() {
                    result[row[0]] = (row[1], row[2], ContentHash(hex: row[3]))
                }
                return result
            }
        }
    }
}
