import Foundation
import GRDB
import Numerics

extension EmbeddingCache {
    /// One stored image vector, or `nil`.
    public func vector(for key: ItemKey, fingerprint: String, level: CacheLevel) throws -> [Float]? {
        let found: (Int, Int, Int, Int, Data)? = try perform("reading a vector") {
            try writer.read { db in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT c.width, c.count, length(c.key_ids), s.row, c.vectors FROM vector_sets v
                        JOIN item_keys k ON k.key = ?
                        JOIN vector_slots s ON s.set_id = v.id AND s.key_id = k.id
                        JOIN vector_chunks c ON c.id = s.chunk
                        WHERE v.fingerprint = ? AND v.level = ?
                        """,
                    arguments: [key.rawValue, fingerprint, level.rawValue]
                ).map { ($0[0], $0[1], $0[2], $0[3], $0[4]) }
            }
        }
        guard let (width, count, keyBytes, row, blob) = found else { return nil }
        guard let rowBytes = VectorChunkStore.rowBytes(
                width: width, count: count, keyBytes: keyBytes, vectorBytes: blob.count, encoding: encoding),
              row >= 0, row < count,
              let values = encoding.decode(blob[(row * rowBytes)..<((row + 1) * rowBytes)]), values.count == width
        else {
            throw EmbeddingCacheError.damaged(
                path: path,
                detail: "the vector of \(key.rawValue) (model \(fingerprint), level \(level.rawValue)) is row \(row) of a chunk of "
                    + "\(count) rows of width \(width) with \(keyBytes) bytes of keys and \(blob.count) bytes of \(encoding.rawValue) vectors")
        }
        return values
    }

    /// Keys stored for (fingerprint, level).
    public func storedKeys(fingerprint: String, level: CacheLevel) throws -> Set<ItemKey> {
        try perform("listing stored vectors") {
            try writer.read { db in
                var keys = Set<ItemKey>()
                let cursor = try String.fetchCursor(
                    db,
                    sql: """
                        SELECT k.key FROM vector_sets v JOIN vector_slots s ON s.set_id = v.id
                        JOIN item_keys k ON k.id = s.key_id WHERE v.fingerprint = ? AND v.level = ?
                        """,
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
                try Row.fetchAll(db, sql: """
                    SELECT v.fingerprint, v.level, sum(c.count) FROM vector_sets v JOIN vector_chunks c ON c.set_id = v.id
                    GROUP BY v.id HAVING sum(c.count) > 0 ORDER BY v.fingerprint, v.level
                    """)
                    .compactMap { row in
                        try CacheLevel(rawValue: row.decode(atIndex: 1)).map {
                            (fingerprint: try row.decode(atIndex: 0), level: $0, count: try row.decode(atIndex: 2))
                        }
                    }
            }
        }
    }

    /// Every vector of (fingerprint, level) for the dataset's current items, as one matrix in item order.
    /// Items whose vector is not cached yet are left out.
    ///
    /// Reads the level's items (one range scan), then the set's chunks in order (one ~1 MB blob each),
    /// decoding each chunk row straight into the matrix rows of the items that use its key.
    /// O(items + vectors · width); no per-vector B-tree lookups.
    /// - Throws: ``EmbeddingCacheError/damaged(path:detail:)`` for a chunk or search lists whose declared sizes
    ///   do not match their blobs (checked before anything is allocated from them),
    ///   ``EmbeddingCacheError/badVector(fingerprint:level:key:detail:)`` for vectors of different widths.
    public func loadLevel(fingerprint: String, level: CacheLevel) throws -> LevelVectors {
        let encoding = self.encoding, path = self.path
        return try perform("loading vectors") {
            try writer.read { db in
                try Self.loadLevel(db, fingerprint: fingerprint, level: level, encoding: encoding, path: path)
            }
        }
    }

    private static func loadLevel(
        _ db: Database, fingerprint: String, level: CacheLevel, encoding: VectorEncoding, path: String
    ) throws -> LevelVectors {
        guard let setID = try VectorChunkStore.setID(db, fingerprint: fingerprint, level: level.rawValue, create: false) else {
            return LevelVectors(matrix: Tensor(zeros: [0, 0]), sceneIDs: [], itemIndices: [])
        }
        // Items in dataset order; rows of one key are chained (first row per key, next row per row).
        var sceneIDs: [String] = []
        var indices: [Int32] = []
        var keyOfRow: [Int64] = []
        var largestKey = -1
        let items = try Row.fetchCursor(
            db, sql: "SELECT scene_id, item_index, key_id FROM items WHERE level = ? ORDER BY position", arguments: [level.rawValue])
        while let row = try items.next() {
            let key: Int64 = try row.decode(atIndex: 2)
            guard key >= 0 else { continue }
            largestKey = max(largestKey, Int(key))
            keyOfRow.append(key)
            sceneIDs.append(try row.decode(atIndex: 0))
            indices.append(Int32(truncatingIfNeeded: try row.decode(Int.self, atIndex: 1)))
        }
        var firstRowOfKey = KeyIDTable(entries: keyOfRow.count, largestKey: largestKey)
        var lastRowOfKey = KeyIDTable(entries: keyOfRow.count, largestKey: largestKey)
        var nextRow = [Int32](repeating: -1, count: keyOfRow.count)
        for (r, key) in keyOfRow.enumerated() {
            let last = lastRowOfKey[Int(key)]
            if last < 0 { firstRowOfKey[Int(key)] = Int32(r) } else { nextRow[Int(last)] = Int32(r) }
            lastRowOfKey[Int(key)] = Int32(r)
        }
        let total = sceneIDs.count
        if total == 0 { return LevelVectors(matrix: Tensor(zeros: [0, 0]), sceneIDs: [], itemIndices: []) }
        var filled = [Bool](repeating: false, count: total)
        var storage: MatrixAllocation?
        var width = 0
        let chunks = try Row.fetchCursor(
            db, sql: "SELECT id, width, count, key_ids, vectors FROM vector_chunks WHERE set_id = ? ORDER BY id", arguments: [setID])
        while let chunk = try chunks.next() {
            let id: Int64 = try chunk.decode(atIndex: 0)
            let chunkWidth: Int = try chunk.decode(atIndex: 1), count: Int = try chunk.decode(atIndex: 2)
            func damage(_ detail: String) -> EmbeddingCacheError {
                .damaged(path: path, detail: "vector chunk \(id) (model \(fingerprint), level \(level.rawValue)): \(detail)")
            }
            // The declared width and count are checked against the blobs before anything is sized from them.
            let sizes = try chunk.withUnsafeData(atIndex: 3) { keys in
                try chunk.withUnsafeData(atIndex: 4) { vectors in (keys?.count ?? 0, vectors?.count ?? 0) }
            }
            guard let rowBytes = VectorChunkStore.rowBytes(
                width: chunkWidth, count: count, keyBytes: sizes.0, vectorBytes: sizes.1, encoding: encoding)
            else {
                throw damage("\(count) rows of width \(chunkWidth) do not match the chunk's blob sizes "
                    + "(\(sizes.0) bytes of keys, \(sizes.1) bytes of \(encoding.rawValue) vectors)")
            }
            // An empty chunk holds nothing, not even a width.
            guard count > 0 else { continue }
            if storage == nil {
                width = chunkWidth
                let (values, overflow) = total.multipliedReportingOverflow(by: width)
                guard !overflow, let allocation = MatrixAllocation(count: values) else {
                    throw damage("\(total) items of width \(width) need more memory than can be allocated")
                }
                storage = allocation
            }
            guard chunkWidth == width else {
                throw EmbeddingCacheError.badVector(
                    fingerprint: fingerprint, level: level.rawValue, key: "chunk \(id)", detail: "width \(chunkWidth), other vectors have \(width)")
            }
            let out = storage!.pointer
            let ok = try chunk.withUnsafeData(atIndex: 3) { keys -> Bool in
                guard let keys, keys.count == count * 8 else { return false }
                return try chunk.withUnsafeData(atIndex: 4) { vectors -> Bool in
                    guard let vectors, vectors.count == count * rowBytes else { return false }
                    return keys.withUnsafeBytes { keyBytes in
                        vectors.withUnsafeBytes { vectorBytes in
                            for j in 0..<count {
                                let key = Int(Int64(littleEndian: keyBytes.loadUnaligned(fromByteOffset: 8 * j, as: Int64.self)))
                                var r = firstRowOfKey[key]
                                guard r >= 0 else { continue }
                                let source = UnsafeRawBufferPointer(rebasing: vectorBytes[(j * rowBytes)..<((j + 1) * rowBytes)])
                                while r >= 0 {
                                    encoding.decode(source, width: width, into: out + Int(r) * width)
                                    filled[Int(r)] = true
                                    r = nextRow[Int(r)]
                                }
                            }
                            return true
                        }
                    }
                }
            }
            guard ok else { throw damage("\(count) rows of width \(width) do not match the chunk's blob sizes") }
        }
        guard let storage else { return LevelVectors(matrix: Tensor(zeros: [0, 0]), sceneIDs: [], itemIndices: []) }
        var lists: (count: Int, centroids: [Float], rows: [Int32])?
        if let stored = try Row.fetchOne(
            db, sql: "SELECT width, lists, centroids, key_ids, assignments FROM vector_lists WHERE set_id = ?", arguments: [setID]),
            try stored.decode(Int.self, atIndex: 0) == width {
            let count: Int = try stored.decode(atIndex: 1)
            let centroids: Data = try stored.decode(atIndex: 2), keys: Data = try stored.decode(atIndex: 3)
            let assigned: Data = try stored.decode(atIndex: 4)
            let n = keys.count / 8
            let (centroidValues, overflow) = count.multipliedReportingOverflow(by: width)
            guard count > 0, !overflow, centroidValues <= centroids.count / 4, centroids.count == centroidValues * 4, keys.count % 8 == 0,
                  assigned.count == n * 4
            else {
                throw EmbeddingCacheError.damaged(
                    path: path,
                    detail: "search lists (model \(fingerprint), level \(level.rawValue)): blob sizes do not match \(count) lists of width \(width)")
            }
            var rows = [Int32](repeating: -1, count: total)
            keys.withUnsafeBytes { keyBytes in
                assigned.withUnsafeBytes { listBytes in
                    for j in 0..<n {
                        let key = Int(Int64(littleEndian: keyBytes.loadUnaligned(fromByteOffset: 8 * j, as: Int64.self)))
                        let list = Int32(littleEndian: listBytes.loadUnaligned(fromByteOffset: 4 * j, as: Int32.self))
                        guard list >= 0, Int(list) < count else { continue }
                        var r = firstRowOfKey[key]
                        while r >= 0 {
                            rows[Int(r)] = list
                            r = nextRow[Int(r)]
                        }
                    }
                }
            }
            let values = centroids.withUnsafeBytes { raw in
                (0..<(count * width)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            lists = (count, values, rows)
        }
        // Leave out items without a vector, keeping the order.
        var kept = 0
        for r in 0..<total where filled[r] {
            if kept != r {
                (storage.pointer + kept * width).update(from: storage.pointer + r * width, count: width)
                sceneIDs[kept] = sceneIDs[r]
                indices[kept] = indices[r]
                keyOfRow[kept] = keyOfRow[r]
                if lists != nil { lists!.rows[kept] = lists!.rows[r] }
            }
            kept += 1
        }
        sceneIDs.removeLast(total - kept)
        indices.removeLast(total - kept)
        keyOfRow.removeLast(total - kept)
        lists?.rows.removeLast(total - kept)
        let matrix = Tensor(shape: [kept, width], storage: TensorStorage(borrowing: storage.pointer, count: kept * width, owner: storage))
        var result = LevelVectors(
            matrix: matrix, sceneIDs: sceneIDs, itemIndices: indices,
            searchLists: lists.map { SearchLists(lists: $0.count, centroids: $0.centroids, assignments: $0.rows) })
        result.keyIDs = keyOfRow
        return result
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
                    let width: Int = try row.decode(atIndex: 0)
                    guard let values = encoding.decode(try row.decode(Data.self, atIndex: 1)), values.count == width else {
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
                let sql = "SELECT i.scene_id, i.level, i.item_index, k.key FROM items i JOIN item_keys k ON k.id = i.key_id"
                    + (level == nil ? "" : " WHERE i.level = ?") + " ORDER BY i.position"
                return try Row.fetchAll(db, sql: sql, arguments: level.map { [$0.rawValue] } ?? []).compactMap { row in
                    try CacheLevel(rawValue: row.decode(atIndex: 1)).map {
                        DatasetItem(sceneID: try row.decode(atIndex: 0), level: $0, index: try row.decode(atIndex: 2),
                                    key: ItemKey(rawValue: try row.decode(atIndex: 3)))
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
                    result[try row.decode(atIndex: 0)] = (
                        try row.decode(atIndex: 1), try row.decode(atIndex: 2), ContentHash(hex: try row.decode(atIndex: 3)))
                }
                return result
            }
        }
    }
}
