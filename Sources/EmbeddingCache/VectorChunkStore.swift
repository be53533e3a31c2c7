import Foundation
import GRDB

/// Image vectors stored as contiguous chunks: each (model fingerprint, level) — a *vector set* — owns
/// chunks of up to ``rowsPerChunk(width:encoding:)`` rows (about 1 MB), each chunk one row of
/// `vector_chunks` holding the rows' key ids (`Int64` little-endian) and their vectors back to back.
/// `vector_slots` is the secondary index from (set, key id) to (chunk, row) for incremental writes.
///
/// Loading a level is then a few hundred large sequential blob reads instead of one B-tree join per
/// vector. Writes append to the set's last chunk (rewriting it, so ≤ 1 MB extra per batch) or open new
/// ones; replacing a key's vector rewrites its row in place; deleting rows rewrites their chunks.
enum VectorChunkStore {
    /// Target chunk size in bytes.
    static let chunkBytes = 1 << 20

    /// Rows per chunk for vectors of `width` values: about 1 MB, at least 64 rows.
    static func rowsPerChunk(width: Int, encoding: VectorEncoding) -> Int {
        max(64, chunkBytes / max(1, width * encoding.bytesPerValue))
    }

    /// The bytes of one row when a chunk of `count` rows of `width` values has blobs of `keyBytes` and
    /// `vectorBytes` bytes, or `nil` for a damaged chunk: a negative width or count, a size that overflows, or blobs
    /// of other sizes. Every reader of a chunk checks it before indexing the blobs.
    static func rowBytes(width: Int, count: Int, keyBytes: Int, vectorBytes: Int, encoding: VectorEncoding) -> Int? {
        guard width >= 0, count >= 0 else { return nil }
        let (row, rowOverflow) = width.multipliedReportingOverflow(by: encoding.bytesPerValue)
        let (keys, keysOverflow) = count.multipliedReportingOverflow(by: 8)
        let (vectors, vectorsOverflow) = count.multipliedReportingOverflow(by: row)
        guard !rowOverflow, !keysOverflow, !vectorsOverflow, keys == keyBytes, vectors == vectorBytes else { return nil }
        return row
    }

    /// The id of the vector set (fingerprint, level), created when `create` is set.
    static func setID(_ db: Database, fingerprint: String, level: String, create: Bool) throws -> Int64? {
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM vector_sets WHERE fingerprint = ? AND level = ?", arguments: [fingerprint, level]) {
            return id
        }
        guard create else { return nil }
        try db.execute(sql: "INSERT INTO vector_sets (fingerprint, level) VALUES (?, ?)", arguments: [fingerprint, level])
        return db.lastInsertedRowID
    }

    /// The id of an item key, interned when `create` is set.
    static func keyID(_ db: Database, key: String, create: Bool) throws -> Int64? {
        let select = try db.cachedStatement(sql: "SELECT id FROM item_keys WHERE key = ?")
        if let id = try Int64.fetchOne(select, arguments: [key]) { return id }
        guard create else { return nil }
        try db.cachedStatement(sql: "INSERT INTO item_keys (key) VALUES (?)").execute(arguments: [key])
        return db.lastInsertedRowID
    }

    /// Stores `keyIDs.count` encoded rows of `width` values (`rows` holds them back to back): keys that
    /// already have a vector in the set get it replaced in place, new keys are appended. A key given twice
    /// keeps its last row.
    static func store(_ db: Database, setID: Int64, keyIDs: [Int64], width: Int, rows: Data, encoding: VectorEncoding) throws {
        let rowBytes = width * encoding.bytesPerValue
        precondition(rows.count == keyIDs.count * rowBytes, "rows must hold keyIDs.count rows of width values")
        var lastRowOfKey: [Int64: Int] = [:]
        for (i, id) in keyIDs.enumerated() { lastRowOfKey[id] = i }
        let lookup = try db.cachedStatement(sql: "SELECT chunk, row FROM vector_slots WHERE set_id = ? AND key_id = ?")
        var replacements: [Int64: [(row: Int, source: Int)]] = [:]
        var appended: [(key: Int64, source: Int)] = []
        var removals: Set<Int64> = []
        for (i, id) in keyIDs.enumerated() where lastRowOfKey[id] == i {
            if let slot = try Row.fetchOne(lookup, arguments: [setID, id]) {
                let chunk: Int64 = try slot.decode(atIndex: 0), row: Int = try slot.decode(atIndex: 1)
                // Replaced in place only in a sound chunk of this width that has the slot's row; otherwise the
                // key's vector is removed (a damaged chunk is dropped whole) and appended again.
                if let stored = try Row.fetchOne(
                    db, sql: "SELECT width, count, length(key_ids), length(vectors) FROM vector_chunks WHERE id = ?",
                    arguments: [chunk]) {
                    let storedWidth: Int = try stored.decode(atIndex: 0), storedCount: Int = try stored.decode(atIndex: 1)
                    let keyBytes: Int = try stored.decode(atIndex: 2), vectorBytes: Int = try stored.decode(atIndex: 3)
                    if storedWidth == width, row >= 0, row < storedCount,
                        Self.rowBytes(width: width, count: storedCount, keyBytes: keyBytes, vectorBytes: vectorBytes, encoding: encoding) != nil {
                        replacements[chunk, default: []].append((row, i))
                        continue
                    }
                }
                removals.insert(id)
            }
            appended.append((id, i))
        }
        if !removals.isEmpty { _ = try remove(db, setID: setID, keyIDs: removals, encoding: encoding) }
        for (chunk, changes) in replacements {
            guard var vectors = try Data.fetchOne(db, sql: "SELECT vectors FROM vector_chunks WHERE id = ?", arguments: [chunk]) else { continue }
            for change in changes {
                // Safe because the chunk was checked to hold row `change.row` of `rowBytes` bytes.
                let target = change.row * rowBytes
                guard target + rowBytes <= vectors.count else { continue }
                vectors.replaceSubrange(target..<(target + rowBytes), with: rows[(change.source * rowBytes)..<((change.source + 1) * rowBytes)])
            }
            try db.execute(sql: "UPDATE vector_chunks SET vectors = ? WHERE id = ?", arguments: [vectors, chunk])
        }
        guard !appended.isEmpty else { return }
        let capacity = rowsPerChunk(width: width, encoding: encoding)
        let insertSlot = try db.cachedStatement(sql: "INSERT INTO vector_slots (set_id, key_id, chunk, row) VALUES (?, ?, ?, ?)")
        var next = 0
        // Fill the set's last chunk first when it has room and the same width.
        if let last = try Row.fetchOne(
            db, sql: "SELECT id, width, count, key_ids, vectors FROM vector_chunks WHERE set_id = ? ORDER BY id DESC LIMIT 1",
            arguments: [setID]) {
            let id: Int64 = try last.decode(atIndex: 0)
            let lastWidth: Int = try last.decode(atIndex: 1), count: Int = try last.decode(atIndex: 2)
            var keys: Data = try last.decode(atIndex: 3)
            var vectors: Data = try last.decode(atIndex: 4)
            // A damaged last chunk is left as it is (loading reports it); the rows go to a new chunk.
            if lastWidth == width && count < capacity,
                Self.rowBytes(width: width, count: count, keyBytes: keys.count, vectorBytes: vectors.count, encoding: encoding) != nil {
                let take = min(capacity - count, appended.count)
                for (j, entry) in appended[0..<take].enumerated() {
                    keys.append(encodedKey(entry.key))
                    vectors.append(rows[(entry.source * rowBytes)..<((entry.source + 1) * rowBytes)])
                    try insertSlot.execute(arguments: [setID, entry.key, id, count + j])
                }
                try db.execute(
                    sql: "UPDATE vector_chunks SET count = ?, key_ids = ?, vectors = ? WHERE id = ?",
                    arguments: [count + take, keys, vectors, id])
                next = take
            }
        }
        while next < appended.count {
            let part = appended[next..<min(next + capacity, appended.count)]
            var keys = Data(capacity: part.count * 8)
            var vectors = Data(capacity: part.count * rowBytes)
            for entry in part {
                keys.append(encodedKey(entry.key))
                vectors.append(rows[(entry.source * rowBytes)..<((entry.source + 1) * rowBytes)])
            }
            try db.execute(
                sql: "INSERT INTO vector_chunks (set_id, width, count, key_ids, vectors) VALUES (?, ?, ?, ?, ?)",
                arguments: [setID, width, part.count, keys, vectors])
            let chunk = db.lastInsertedRowID
            for (j, entry) in part.enumerated() { try insertSlot.execute(arguments: [setID, entry.key, chunk, j]) }
            next += part.count
        }
    }

    /// Removes the vectors of `keyIDs` from the set, rewriting (or deleting) the chunks that held them.
    /// Returns how many vectors were removed.
    static func remove(_ db: Database, setID: Int64, keyIDs: Set<Int64>, encoding: VectorEncoding) throws -> Int {
        var chunks = Set<Int64>()
        let lookup = try db.cachedStatement(sql: "SELECT chunk FROM vector_slots WHERE set_id = ? AND key_id = ?")
        for id in keyIDs {
            if let chunk = try Int64.fetchOne(lookup, arguments: [setID, id]) { chunks.insert(chunk) }
        }
        var removed = 0
        for chunk in chunks.sorted() {
            guard let row = try Row.fetchOne(db, sql: "SELECT width, count, key_ids, vectors FROM vector_chunks WHERE id = ?", arguments: [chunk])
            else { continue }
            let width: Int = try row.decode(atIndex: 0), count: Int = try row.decode(atIndex: 1)
            let keys: Data = try row.decode(atIndex: 2)
            let vectors: Data = try row.decode(atIndex: 3)
            guard count > 0,
                let rowBytes = Self.rowBytes(width: width, count: count, keyBytes: keys.count, vectorBytes: vectors.count, encoding: encoding)
            else {
                // A damaged chunk: drop it whole (its vectors are re-embedded by the next index run).
                // Its count cannot be trusted: the slots pointing into it are the vectors removed.
                try db.execute(sql: "DELETE FROM vector_slots WHERE chunk = ?", arguments: [chunk])
                removed += db.changesCount
                try db.execute(sql: "DELETE FROM vector_chunks WHERE id = ?", arguments: [chunk])
                continue
            }
            var keptKeys = Data()
            var keptVectors = Data()
            var kept: [Int64] = []
            for r in 0..<count {
                let id = decodedKey(keys, at: r)
                if keyIDs.contains(id) {
                    removed += 1
                    try db.execute(sql: "DELETE FROM vector_slots WHERE set_id = ? AND key_id = ?", arguments: [setID, id])
                    continue
                }
                if kept.count != r {
                    try db.execute(sql: "UPDATE vector_slots SET row = ? WHERE set_id = ? AND key_id = ?", arguments: [kept.count, setID, id])
                }
                kept.append(id)
                keptKeys.append(encodedKey(id))
                keptVectors.append(vectors[(r * rowBytes)..<((r + 1) * rowBytes)])
            }
            if kept.isEmpty {
                try db.execute(sql: "DELETE FROM vector_chunks WHERE id = ?", arguments: [chunk])
            } else {
                try db.execute(
                    sql: "UPDATE vector_chunks SET count = ?, key_ids = ?, vectors = ? WHERE id = ?",
                    arguments: [kept.count, keptKeys, keptVectors, chunk])
            }
        }
        return removed
    }

    /// 8 little-endian bytes of a key id.
    static func encodedKey(_ id: Int64) -> Data {
        withUnsafeBytes(of: id.littleEndian) { Data($0) }
    }

    /// Key id number `row` of a `key_ids` blob.
    static func decodedKey(_ keys: Data, at row: Int) -> Int64 {
        keys.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * row, as: Int64.self)) }
    }
}
