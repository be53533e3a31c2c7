import Foundation
import GRDB

/// The cache's tables, created and upgraded by named migrations recorded in GRDB's `grdb_migrations` table.
///
/// Format 5 (current) adds `corrections(id, scene_id, kind, target_index, old_value, new_value, created_at)`: one row
/// per ``Scenes/SceneCorrection``, in the order made (`id`); an annotation table, copied by a merge.
/// Format 4 adds `embedding_maps(set_id, count, key_ids, coordinates, method, created_at)`: one
/// neighbour-preserving 2-D map per vector set — the key id of each mapped vector (Int64, little-endian) and its two
/// Float32 coordinates (see ``EmbeddingCache/embeddingMap(fingerprint:level:)``); maps are derived data, remade from
/// the vectors, and are not copied by a merge. Format 3 adds `vector_lists(set_id, width, lists, centroids, key_ids, assignments, trained_at)`:
/// one inverted-file layout per vector set — `[lists, width]` Float32 centroids and the list of each key it was
/// trained or assigned on (see ``SearchLists``). Format 2:
/// - `schema_info(key, value)`: `format` (schema version) and `vector_encoding` (`f16` | `f32`).
/// - `item_keys(id, key)`: every ``ItemKey`` ever stored, interned to an integer id.
/// - `vector_sets(id, fingerprint, level)`: one per (model fingerprint, level).
/// - `vector_chunks(id, set_id, width, count, key_ids, vectors)`: image embeddings by content, up to ~1 MB
///   of rows per chunk (see ``VectorChunkStore``); `vector_slots(set_id, key_id, chunk, row)` indexes them.
/// - `text_vectors(fingerprint, level, text, width, vector)`: class-text embeddings.
/// - `items(level, position, scene_id, item_index, key_id)`: the dataset's items in dataset order (`position`).
/// - `file_hashes(path, size, mtime, hash)`: remembered content hashes of unchanged files.
/// - `marks(scene_id, target_kind, target_index, verdict, note, updated_at)`: annotation marks.
///
/// Format 1 kept one `vectors(fingerprint, level, item_key, width, vector)` row per vector and
/// `items(scene_id, level, item_index, item_key)` in rowid order; migration v2 moves both, keeping every vector.
enum CacheSchema {
    /// Schema version written to `schema_info.format` by the latest migration.
    static let format = 5

    /// Name of the first migration (format 1).
    static let v1 = "v1: vectors, texts, items, file hashes, marks"
    /// Name of the migration to chunked vectors (format 2).
    static let v2 = "v2: chunked vectors, interned item keys"
    /// Name of the migration adding search lists (format 3).
    static let v3 = "v3: search lists (IVF centroids and assignments)"
    /// Name of the migration adding cached embedding maps (format 4).
    static let v4 = "v4: embedding maps (2-D coordinates per model and level)"
    /// Name of the migration adding annotation corrections (format 5).
    static let v5 = "v5: annotation corrections"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(v1) { db in
            try db.execute(sql: """
                CREATE TABLE schema_info (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE vectors (
                    fingerprint TEXT NOT NULL,
                    level TEXT NOT NULL CHECK (level IN ('global', 'object', 'relation')),
                    item_key TEXT NOT NULL,
                    width INTEGER NOT NULL,
                    vector BLOB NOT NULL,
                    PRIMARY KEY (fingerprint, level, item_key));
                CREATE TABLE text_vectors (
                    fingerprint TEXT NOT NULL,
                    level TEXT NOT NULL CHECK (level IN ('global', 'object', 'relation')),
                    text TEXT NOT NULL,
                    width INTEGER NOT NULL,
                    vector BLOB NOT NULL,
                    PRIMARY KEY (fingerprint, level, text));
                CREATE TABLE items (
                    scene_id TEXT NOT NULL,
                    level TEXT NOT NULL CHECK (level IN ('global', 'object', 'relation')),
                    item_index INTEGER NOT NULL,
                    item_key TEXT NOT NULL,
                    UNIQUE (scene_id, level, item_index));
                CREATE INDEX items_by_level ON items (level, item_key);
                CREATE TABLE file_hashes (
                    path TEXT PRIMARY KEY NOT NULL,
                    size INTEGER NOT NULL,
                    mtime REAL NOT NULL,
                    hash TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE marks (
                    scene_id TEXT NOT NULL,
                    target_kind TEXT NOT NULL CHECK (target_kind IN ('scene', 'object', 'relation')),
                    target_index INTEGER NOT NULL,
                    verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'wrong', 'unsure')),
                    note TEXT NOT NULL DEFAULT '',
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (scene_id, target_kind, target_index)) WITHOUT ROWID;
                INSERT INTO schema_info (key, value) VALUES ('format', '1');
                """)
        }
        migrator.registerMigration(v2, migrate: migrateToChunks)
        migrator.registerMigration(v3) { db in
            try db.execute(sql: """
                CREATE TABLE vector_lists (
                    set_id INTEGER PRIMARY KEY REFERENCES vector_sets (id),
                    width INTEGER NOT NULL,
                    lists INTEGER NOT NULL,
                    centroids BLOB NOT NULL,
                    key_ids BLOB NOT NULL,
                    assignments BLOB NOT NULL,
                    trained_at REAL NOT NULL);
                UPDATE schema_info SET value = '3' WHERE key = 'format';
                """)
        }
        migrator.registerMigration(v4) { db in
            try db.execute(sql: """
                CREATE TABLE embedding_maps (
                    set_id INTEGER PRIMARY KEY REFERENCES vector_sets (id),
                    count INTEGER NOT NULL,
                    key_ids BLOB NOT NULL,
                    coordinates BLOB NOT NULL,
                    method TEXT NOT NULL,
                    created_at REAL NOT NULL);
                UPDATE schema_info SET value = '4' WHERE key = 'format';
                """)
        }
        migrator.registerMigration(v5) { db in
            try db.execute(sql: """
                CREATE TABLE corrections (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    scene_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    target_index INTEGER NOT NULL,
                    old_value TEXT NOT NULL,
                    new_value TEXT NOT NULL,
                    created_at REAL NOT NULL);
                CREATE INDEX corrections_by_scene ON corrections (scene_id, id);
                UPDATE schema_info SET value = '5' WHERE key = 'format';
                """)
        }
        return migrator
    }

    /// Format 1 → 2: interns item keys, rewrites `items` with key ids and dataset positions, and moves every
    /// per-row vector into chunks (per fingerprint and level, in the order they were written). A vector
    /// whose blob does not match its width and the database's encoding was already unreadable; it is
    /// dropped (and re-embedded by the next index run).
    static func migrateToChunks(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE item_keys (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
            CREATE TABLE vector_sets (
                id INTEGER PRIMARY KEY,
                fingerprint TEXT NOT NULL,
                level TEXT NOT NULL CHECK (level IN ('global', 'object', 'relation')),
                UNIQUE (fingerprint, level));
            CREATE TABLE vector_chunks (
                id INTEGER PRIMARY KEY,
                set_id INTEGER NOT NULL REFERENCES vector_sets (id),
                width INTEGER NOT NULL,
                count INTEGER NOT NULL,
                key_ids BLOB NOT NULL,
                vectors BLOB NOT NULL);
            CREATE INDEX vector_chunks_by_set ON vector_chunks (set_id, id);
            CREATE TABLE vector_slots (
                set_id INTEGER NOT NULL,
                key_id INTEGER NOT NULL,
                chunk INTEGER NOT NULL,
                row INTEGER NOT NULL,
                PRIMARY KEY (set_id, key_id)) WITHOUT ROWID;
            CREATE INDEX vector_slots_by_chunk ON vector_slots (chunk);
            INSERT OR IGNORE INTO item_keys (key) SELECT item_key FROM items ORDER BY rowid;
            INSERT OR IGNORE INTO item_keys (key) SELECT item_key FROM vectors ORDER BY rowid;
            CREATE TABLE items_v2 (
                level TEXT NOT NULL CHECK (level IN ('global', 'object', 'relation')),
                position INTEGER NOT NULL,
                scene_id TEXT NOT NULL,
                item_index INTEGER NOT NULL,
                key_id INTEGER NOT NULL REFERENCES item_keys (id),
                PRIMARY KEY (level, position),
                UNIQUE (scene_id, level, item_index)) WITHOUT ROWID;
            INSERT INTO items_v2 (level, position, scene_id, item_index, key_id)
                SELECT i.level, i.rowid, i.scene_id, i.item_index, k.id FROM items i JOIN item_keys k ON k.key = i.item_key;
            DROP TABLE items;
            ALTER TABLE items_v2 RENAME TO items;
            CREATE INDEX items_by_key ON items (level, key_id);
            """)
        let stored = try String.fetchOne(db, sql: "SELECT value FROM schema_info WHERE key = 'vector_encoding'")
        // A format-1 database always has its encoding; an unknown one is reported on open, after migrating.
        let encoding = stored.flatMap(VectorEncoding.init(rawValue:)) ?? .f16
        // Rows of one set and width, gathered up to a chunk's worth, then stored together.
        var pendingSet: Int64 = -1
        var pendingWidth = -1
        var keyIDs: [Int64] = []
        var blob = Data()
        func flush() throws {
            guard !keyIDs.isEmpty else { return }
            try VectorChunkStore.store(db, setID: pendingSet, keyIDs: keyIDs, width: pendingWidth, rows: blob, encoding: encoding)
            keyIDs.removeAll(keepingCapacity: true)
            blob.removeAll(keepingCapacity: true)
        }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT v.fingerprint, v.level, k.id, v.width, v.vector FROM vectors v JOIN item_keys k ON k.key = v.item_key
            ORDER BY v.fingerprint, v.level, v.width, v.rowid
            """)
        var setIDs: [String: Int64] = [:]
        while let row = try rows.next() {
            let fingerprint: String = try row.decode(atIndex: 0), level: String = try row.decode(atIndex: 1)
            let width: Int = try row.decode(atIndex: 3)
            let vector: Data = try row.decode(atIndex: 4)
            guard width > 0, vector.count == width * encoding.bytesPerValue else { continue }
            let name = fingerprint + "\u{0}" + level
            let set: Int64
            if let known = setIDs[name] {
                set = known
            } else {
                set = try VectorChunkStore.setID(db, fingerprint: fingerprint, level: level, create: true)!
                setIDs[name] = set
            }
            if set != pendingSet || width != pendingWidth
                || keyIDs.count >= VectorChunkStore.rowsPerChunk(width: width, encoding: encoding) {
                try flush()
                pendingSet = set
                pendingWidth = width
            }
            keyIDs.append(try row.decode(atIndex: 2))
            blob.append(vector)
        }
        try flush()
        try db.execute(sql: """
            DROP TABLE vectors;
            UPDATE schema_info SET value = '2' WHERE key = 'format';
            """)
    }
}
