import GRDB

extension CacheSchema {
    /// Name of the migration adding cached 2-D embedding maps.
    static let embeddingMaps = "embedding maps: 2-D coordinates per (model, level)"

    /// Registers the `embedding_maps(set_id, count, key_ids, coordinates, method, created_at)` table: one
    /// neighbour-preserving map per vector set — the key id of each mapped vector (Int64, little-endian) and its
    /// two Float32 coordinates (see ``EmbeddingCache/embeddingMap(fingerprint:level:)``).
    static func registerEmbeddingMaps(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(embeddingMaps) { db in
            try db.execute(sql: """
                CREATE TABLE embedding_maps (
                    set_id INTEGER PRIMARY KEY REFERENCES vector_sets (id),
                    count INTEGER NOT NULL,
                    key_ids BLOB NOT NULL,
                    coordinates BLOB NOT NULL,
                    method TEXT NOT NULL,
                    created_at REAL NOT NULL);
                """)
        }
    }
}
