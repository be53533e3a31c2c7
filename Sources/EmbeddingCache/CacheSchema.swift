import GRDB

/// The cache's tables, created and upgraded by named migrations recorded in GRDB's `grdb_migrations` table.
///
/// - `schema_info(key, value)`: `format` (schema version) and `vector_encoding` (`f16` | `f32`).
/// - `vectors(fingerprint, level, item_key, width, vector)`: image embeddings by content.
/// - `text_vectors(fingerprint, level, text, width, vector)`: class-text embeddings.
/// - `items(scene_id, level, item_index, item_key)`: the dataset's items in dataset order (rowid).
/// - `file_hashes(path, size, mtime, hash)`: remembered content hashes of unchanged files.
/// - `marks(scene_id, target_kind, target_index, verdict, note, updated_at)`: annotation marks.
enum CacheSchema {
    /// Schema version written to `schema_info.format` by the latest migration.
    static let format = 1

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: vectors, texts, items, file hashes, marks") { db in
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
        return migrator
    }
}
