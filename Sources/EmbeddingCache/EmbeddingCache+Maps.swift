import Foundation
import GRDB

/// A cached 2-D map of one (model, level), laid onto the dataset's current items.
public struct CachedEmbeddingMap: Sendable, Equatable {
    /// Scene id of each mapped item, in dataset item order.
    public var sceneIDs: [String]
    /// Object or relation index of each mapped item (0 for the global level).
    public var itemIndices: [Int32]
    /// `[count, 2]` coordinates, row-major, parallel to ``sceneIDs``.
    public var coordinates: [Float]
    /// Items of the level the map has no point for (vectors added since it was computed).
    public var missing: Int
    /// How the map was computed (method and settings).
    public var method: String
    public var createdAt: Date

    public init(sceneIDs: [String], itemIndices: [Int32], coordinates: [Float], missing: Int, method: String, createdAt: Date) {
        precondition(sceneIDs.count == itemIndices.count && coordinates.count == 2 * sceneIDs.count, "one point per item")
        self.sceneIDs = sceneIDs
        self.itemIndices = itemIndices
        self.coordinates = coordinates
        self.missing = missing
        self.method = method
        self.createdAt = createdAt
    }

    /// Mapped items.
    public var count: Int { sceneIDs.count }
}

extension CacheWriteBatch {
    /// Stores (replacing any earlier one) the 2-D map of (fingerprint, level): `coordinates` `[vectors.count, 2]`
    /// for the rows of `vectors`, which must come from ``EmbeddingCache/loadLevel(fingerprint:level:)`` of this cache.
    /// Rows sharing a key (the same picture twice) keep the first row's point.
    /// - Throws: ``EmbeddingCacheError/shapeMismatch(detail:)`` when the sizes disagree or `vectors` was not loaded
    ///   from a cache.
    public func storeEmbeddingMap(_ coordinates: [Float], for vectors: LevelVectors, fingerprint: String, level: CacheLevel,
                                  method: String) throws {
        guard coordinates.count == 2 * vectors.count, vectors.keyIDs.count == vectors.count else {
            throw EmbeddingCacheError.shapeMismatch(
                detail: "embedding map: \(coordinates.count) coordinates for \(vectors.count) rows"
                    + (vectors.keyIDs.count == vectors.count ? "" : " not loaded from a cache"))
        }
        try flush()
        let set = try VectorChunkStore.setID(db, fingerprint: fingerprint, level: level.rawValue, create: true)!
        var keys = Data(capacity: vectors.count * 8)
        var points = Data(capacity: vectors.count * 8)
        var seen = Set<Int64>()
        var count = 0
        for row in 0..<vectors.count where seen.insert(vectors.keyIDs[row]).inserted {
            withUnsafeBytes(of: vectors.keyIDs[row].littleEndian) { keys.append(contentsOf: $0) }
            withUnsafeBytes(of: coordinates[2 * row].bitPattern.littleEndian) { points.append(contentsOf: $0) }
            withUnsafeBytes(of: coordinates[2 * row + 1].bitPattern.littleEndian) { points.append(contentsOf: $0) }
            count += 1
        }
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO embedding_maps (set_id, count, key_ids, coordinates, method, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [set, count, keys, points, method, Date().timeIntervalSince1970])
    }
}

extension EmbeddingCache {
    /// The stored 2-D map of (fingerprint, level) laid onto the dataset's current items of that level (items
    /// without a point are counted in ``CachedEmbeddingMap/missing``), or `nil` when none is stored.
    /// Reads the level's items (one range scan) and one blob pair; no vectors. O(items).
    /// - Throws: ``EmbeddingCacheError/badVector(fingerprint:level:key:detail:)`` for blobs of the wrong size.
    public func embeddingMap(fingerprint: String, level: CacheLevel) throws -> CachedEmbeddingMap? {
        try perform("reading the embedding map") {
            try writer.read { db -> CachedEmbeddingMap? in
                guard let setID = try VectorChunkStore.setID(db, fingerprint: fingerprint, level: level.rawValue, create: false),
                      let stored = try Row.fetchOne(
                        db, sql: "SELECT count, key_ids, coordinates, method, created_at FROM embedding_maps WHERE set_id = ?",
                        arguments: [setID])
                else { return nil }
                let count: Int = try stored.decode(atIndex: 0)
                let keys: Data = try stored.decode(atIndex: 1), points: Data = try stored.decode(atIndex: 2)
                guard count >= 0, keys.count == count * 8, points.count == count * 8 else {
                    throw EmbeddingCacheError.badVector(fingerprint: fingerprint, level: level.rawValue, key: "embedding map",
                                                       detail: "blob sizes \(keys.count) and \(points.count) do not match \(count) points")
                }
                // Point of each key id.
                func key(_ raw: UnsafeRawBufferPointer, _ j: Int) -> Int {
                    Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * j, as: Int64.self)))
                }
                let largestKey = keys.withUnsafeBytes { raw in (0..<count).reduce(-1) { max($0, key(raw, $1)) } }
                var pointOfKey = KeyIDTable(entries: count, largestKey: largestKey)
                keys.withUnsafeBytes { raw in
                    for j in 0..<count { pointOfKey[key(raw, j)] = Int32(j) }
                }
                var sceneIDs: [String] = []
                var indices: [Int32] = []
                var coordinates: [Float] = []
                var missing = 0
                let items = try Row.fetchCursor(
                    db, sql: "SELECT scene_id, item_index, key_id FROM items WHERE level = ? ORDER BY position", arguments: [level.rawValue])
                try points.withUnsafeBytes { raw in
                    while let row = try items.next() {
                        let point = pointOfKey[Int(try row.decode(Int64.self, atIndex: 2))]
                        guard point >= 0 else {
                            missing += 1
                            continue
                        }
                        let p = Int(point)
                        sceneIDs.append(try row.decode(atIndex: 0))
                        indices.append(Int32(truncatingIfNeeded: try row.decode(Int.self, atIndex: 1)))
                        coordinates.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * p, as: UInt32.self))))
                        coordinates.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * p + 4, as: UInt32.self))))
                    }
                }
                return CachedEmbeddingMap(sceneIDs: sceneIDs, itemIndices: indices, coordinates: coordinates, missing: missing,
                                          method: try stored.decode(atIndex: 3),
                                          createdAt: Date(timeIntervalSince1970: try stored.decode(atIndex: 4)))
            }
        }
    }
}
