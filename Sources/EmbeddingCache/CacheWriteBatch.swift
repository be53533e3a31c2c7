import Foundation
import GRDB
import Numerics

/// Writes inside one ``EmbeddingCache/write(_:)`` transaction. Valid only inside that closure.
public struct CacheWriteBatch {
    let db: Database
    let encoding: VectorEncoding

    /// Stores (or replaces) one image vector.
    public func storeVector(_ vector: [Float], for key: ItemKey, fingerprint: String, level: CacheLevel) throws {
        try vector.withUnsafeBufferPointer { try storeVector($0, for: key, fingerprint: fingerprint, level: level) }
    }

    /// Stores (or replaces) one image vector.
    public func storeVector(_ vector: UnsafeBufferPointer<Float>, for key: ItemKey, fingerprint: String, level: CacheLevel) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO vectors (fingerprint, level, item_key, width, vector) VALUES (?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [fingerprint, level.rawValue, key.rawValue, vector.count, encoding.encode(vector)])
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
        let statement = try db.cachedStatement(sql: "INSERT INTO items (scene_id, level, item_index, item_key) VALUES (?, ?, ?, ?)")
        for item in items {
            try statement.execute(arguments: [item.sceneID, item.level.rawValue, item.index, item.key.rawValue])
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
    public func deleteUnreferencedVectors(fingerprint: String) throws -> Int {
        try db.execute(
            sql: """
                DELETE FROM vectors WHERE fingerprint = ? AND NOT EXISTS (
                    SELECT 1 FROM items i WHERE i.level = vectors.level AND i.item_key = vectors.item_key)
                """,
            arguments: [fingerprint])
        return db.changesCount
    }
}
