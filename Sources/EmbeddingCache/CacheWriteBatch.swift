import Foundation
import GRDB
import Numerics

/// Writes inside one ``EmbeddingCache/write(_:)`` transaction. Valid only inside that closure.
///
/// Image vectors are gathered per (fingerprint, level, width) and written as chunks when the transaction
/// ends (or before a call that reads them), so storing row by row costs no more than storing a matrix.
public struct CacheWriteBatch {
    let db: Database
    let encoding: VectorEncoding
    let pending: PendingVectors

    init(db: Database, encoding: VectorEncoding) {
        self.db = db
        self.encoding = encoding
        pending = PendingVectors()
    }

    /// Stores (or replaces) one image vector.
    public func storeVector(_ vector: [Float], for key: ItemKey, fingerprint: String, level: CacheLevel) throws {
        try vector.withUnsafeBufferPointer { try storeVector($0, for: key, fingerprint: fingerprint, level: level) }
    }

    /// Stores (or replaces) one image vector.
    public func storeVector(_ vector: UnsafeBufferPointer<Float>, for key: ItemKey, fingerprint: String, level: CacheLevel) throws {
        guard let keyID = try VectorChunkStore.keyID(db, key: key.rawValue, create: true) else { return }
        pending.add(keyID: keyID, row: encoding.encode(vector), width: vector.count, fingerprint: fingerprint, level: level.rawValue)
    }

    /// Stores the rows of `vectors: [keys.count, width]` under `keys`.
    public func storeVectors(_ vectors: Tensor, for keys: [ItemKey], fingerprint: String, level: CacheLevel) throws {
        guard vectors.rank == 2, vectors.shape[0] == keys.count else {
            throw EmbeddingCacheError.shapeMismatch(detail: "\(keys.count) keys for a tensor of shape \(vectors.shape)")
        }
        let width = vectors.shape[1]
        try vectors.withUnsafeBufferPointer { all in
            for (row, key) in keys.enumerated() {
                let slice = UnsafeBufferPointer(rebasing: all[(row * width)..<((row + 1) * width)])
                try storeVector(slice, for: key, fingerprint: fingerprint, level: level)
            }
        }
    }

    /// Writes the gathered vectors as chunks (called when the transaction body returns).
    func flush() throws {
        for group in pending.take() {
            let set = try VectorChunkStore.setID(db, fingerprint: group.fingerprint, level: group.level, create: true)!
            try VectorChunkStore.store(db, setID: set, keyIDs: group.keyIDs, width: group.width, rows: group.rows, encoding: encoding)
        }
    }

    /// Stores (replacing any earlier one) the IVF layout of (fingerprint, level): `lists.centroids` and the
    /// list of each row of `vectors`, which must come from ``EmbeddingCache/loadLevel(fingerprint:level:)``
    /// of the same cache. Rows with list `-1` are left out (they count as unassigned when loaded).
    /// - Throws: ``EmbeddingCacheError/shapeMismatch(detail:)`` when the sizes disagree or `vectors` was not
    ///   loaded from a cache.
    public func storeSearchLists(_ lists: SearchLists, for vectors: LevelVectors, fingerprint: String, level: CacheLevel) throws {
        let width = vectors.width
        guard lists.lists > 0, lists.centroids.count == lists.lists * width, lists.assignments.count == vectors.count,
              vectors.keyIDs.count == vectors.count
        else {
            throw EmbeddingCacheError.shapeMismatch(
                detail: "search lists: \(lists.lists) lists with \(lists.centroids.count) centroid values and \(lists.assignments.count) "
                    + "assignments for \(vectors.count) rows of width \(width)\(vectors.keyIDs.count == vectors.count ? "" : " not loaded from a cache")")
        }
        try flush()
        let set = try VectorChunkStore.setID(db, fingerprint: fingerprint, level: level.rawValue, create: true)!
        var keys = Data(capacity: vectors.count * 8)
        var assigned = Data(capacity: vectors.count * 4)
        var seen = Set<Int64>()
        for (row, list) in lists.assignments.enumerated() where list >= 0 && Int(list) < lists.lists {
            guard seen.insert(vectors.keyIDs[row]).inserted else { continue }
            withUnsafeBytes(of: vectors.keyIDs[row].littleEndian) { keys.append(contentsOf: $0) }
            withUnsafeBytes(of: list.littleEndian) { assigned.append(contentsOf: $0) }
        }
        let centroids = VectorEncoding.f32.encode(lists.centroids)
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO vector_lists (set_id, width, lists, centroids, key_ids, assignments, trained_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [set, width, lists.lists, centroids, keys, assigned, Date().timeIntervalSince1970])
    }

    /// Stores (or replaces) the embedding of a class text.
    public func storeTextVector(_ vector: [Float], for text: String, fingerprint: String, level: CacheLevel) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO text_vectors (fingerprint, level, text, width, vector) VALUES (?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [fingerprint, level.rawValue, text, vector.count, encoding.encode(vector)])
    }

    /// Replaces the dataset's item table with `items` (kept in the given order).
    public func replaceAllItems(_ items: [DatasetItem]) throws {
        try db.execute(sql: "DELETE FROM items")
        let statement = try db.cachedStatement(
            sql: "INSERT INTO items (level, position, scene_id, item_index, key_id) VALUES (?, ?, ?, ?, ?)")
        for (position, item) in items.enumerated() {
            let keyID = try VectorChunkStore.keyID(db, key: item.key.rawValue, create: true)!
            try statement.execute(arguments: [item.level.rawValue, position, item.sceneID, item.index, keyID])
        }
    }

    /// Remembers the content hash of a file at a given size and modification time.
    public func recordFileHash(_ hash: ContentHash, path: String, size: Int, modified: Double) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO file_hashes (path, size, mtime, hash) VALUES (?, ?, ?, ?)")
        try statement.execute(arguments: [path, size, modified, hash.hex])
    }

    /// Inserts or replaces a mark (one per scene, target kind and index).
    public func upsertMark(_ mark: AnnotationMark) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO marks (scene_id, target_kind, target_index, verdict, note, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [mark.sceneID, mark.targetKind.rawValue, mark.targetIndex, mark.verdict.rawValue, mark.note,
                        mark.timestamp.timeIntervalSince1970])
    }

    /// Deletes vectors of `fingerprint` (all levels) not referenced by any current item; returns how many.
    /// The chunks that held them are rewritten.
    public func deleteUnreferencedVectors(fingerprint: String) throws -> Int {
        try flush()
        var removed = 0
        let sets = try Row.fetchAll(db, sql: "SELECT id, level FROM vector_sets WHERE fingerprint = ?", arguments: [fingerprint])
        for set in sets {
            let id: Int64 = try set.decode(atIndex: 0), level: String = try set.decode(atIndex: 1)
            let unused = try Int64.fetchSet(
                db,
                sql: """
                    SELECT s.key_id FROM vector_slots s WHERE s.set_id = ? AND NOT EXISTS (
                        SELECT 1 FROM items i WHERE i.level = ? AND i.key_id = s.key_id)
                    """,
                arguments: [id, level])
            if !unused.isEmpty { removed += try VectorChunkStore.remove(db, setID: id, keyIDs: unused, encoding: encoding) }
        }
        return removed
    }
}

/// Vectors stored during one transaction, grouped by (fingerprint, level, width) in first-seen order.
final class PendingVectors {
    struct Group {
        var fingerprint: String
        var level: String
        var width: Int
        var keyIDs: [Int64] = []
        var rows = Data()
    }

    private var groups: [Group] = []
    private var groupIndex: [String: Int] = [:]

    func add(keyID: Int64, row: Data, width: Int, fingerprint: String, level: String) {
        let name = "\(fingerprint)\u{0}\(level)\u{0}\(width)"
        let index: Int
        if let known = groupIndex[name] {
            index = known
        } else {
            index = groups.count
            groupIndex[name] = index
            groups.append(Group(fingerprint: fingerprint, level: level, width: width))
        }
        groups[index].keyIDs.append(keyID)
        groups[index].rows.append(row)
    }

    /// The gathered groups, leaving none.
    func take() -> [Group] {
        defer {
            groups = []
            groupIndex = [:]
        }
        return groups
    }
}
