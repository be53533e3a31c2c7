import Foundation

/// Errors raised by the embedding cache, each naming the database file and what was being done.
public enum EmbeddingCacheError: Error, CustomStringConvertible, Sendable {
    /// Another process held a lock for longer than the busy timeout.
    case locked(path: String, waited: Double, during: String)
    /// The file exists but is not an SQLite database (or is damaged).
    case notADatabase(path: String, detail: String)
    /// The file is an SQLite database whose pages are damaged (truncated, overwritten, or an index that
    /// disagrees with its table).
    case damaged(path: String, detail: String)
    /// The database or its folder cannot be written.
    case readOnly(path: String, detail: String)
    /// The disk (or quota) is full.
    case diskFull(path: String, during: String)
    /// The database was written by a newer version of this program.
    case newerSchema(path: String)
    /// A read-only open of a database whose schema is missing or out of date.
    case schemaNotReady(path: String)
    /// A stored vector has an unexpected size (damaged row or mixed widths).
    case badVector(fingerprint: String, level: String, key: String, detail: String)
    /// Vectors given to a write do not match the keys given with them.
    case shapeMismatch(detail: String)
    /// A file to hash cannot be read.
    case unreadableFile(path: String, reason: String)
    /// Any other SQLite failure.
    case sqlite(path: String, code: Int32, message: String, during: String)

    public var description: String {
        switch self {
        case .locked(let path, let waited, let during):
            return "embedding cache \(path) is locked by another process (waited \(waited) s while \(during)); "
                + "wait for the other scenarioclip command to finish, or give another cache with --cache"
        case .notADatabase(let path, let detail):
            return "\(path) is not an embedding cache database (\(detail)); move it away (`scenarioclip index` then builds "
                + "a new one there) or give another path with --cache"
        case .damaged(let path, let detail):
            return "embedding cache \(path) is damaged (\(detail)); delete it (with its -wal and -shm files) and rerun "
                + "`scenarioclip index` to rebuild it — vectors are embedded again, annotation marks are lost unless "
                + "`scenarioclip marks export` still reads them — or give another path with --cache"
        case .readOnly(let path, let detail):
            return "cannot write the embedding cache \(path): \(detail); give a writable location with --cache"
        case .diskFull(let path, let during):
            return "disk full while \(during) in \(path); free some space and rerun (completed batches are kept)"
        case .newerSchema(let path):
            return "embedding cache \(path) was written by a newer scenarioclip; upgrade, or give another path with --cache"
        case .schemaNotReady(let path):
            return "embedding cache \(path) has an older or missing schema and was opened read-only; open it once writable to upgrade it"
        case .badVector(let fingerprint, let level, let key, let detail):
            return "damaged vector for \(key) (model \(fingerprint), level \(level)): \(detail)"
        case .shapeMismatch(let detail):
            return "vectors do not match their keys: \(detail)"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path) to hash it: \(reason)"
        case .sqlite(let path, let code, let message, let during):
            return "SQLite error \(code): \(message) — while \(during) in \(path)"
        }
    }
}
