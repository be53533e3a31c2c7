import EmbeddingCache
import Foundation
import Imaging

/// Content hashes of dataset files, reusing the cache's remembered hash while a file keeps its size and
/// modification time (so re-indexing a large dataset does not re-read every image).
public final class FileHasher: @unchecked Sendable {
    // @unchecked Sendable: safe because `lock` guards every access to the mutable tables.
    private let lock = NSLock()
    private var known: [String: (size: Int, modified: Double, hash: ContentHash)]
    private var computed: [String: (size: Int, modified: Double, hash: ContentHash)] = [:]

    /// Starts from the hashes `cache` remembers.
    public init(cache: EmbeddingCache) throws {
        known = try cache.knownFileHashes()
    }

    /// Starts empty (every file is read).
    public init() {
        known = [:]
    }

    /// The SHA-256 of `url`'s bytes.
    /// - Throws: ``SceneWorkspaceError/missingFile(_:)`` or the cache's unreadable-file error.
    public func hash(_ url: URL) throws -> ContentHash {
        let path = url.standardizedFileURL.path
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw SceneWorkspaceError.missingFile(path)
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        lock.lock()
        if let entry = computed[path] ?? known[path], entry.size == size, entry.modified == modified {
            lock.unlock()
            return entry.hash
        }
        lock.unlock()
        _ = try PictureFile.open(url)  // a FIFO or device (endless bytes) is refused before hashing reads it
        let hash = try ContentHash.ofFile(at: url)
        lock.lock()
        computed[path] = (size, modified, hash)
        lock.unlock()
        return hash
    }

    /// Hashes computed (not reused) since creation: what to remember in the cache.
    public var newlyComputed: [(path: String, size: Int, modified: Double, hash: ContentHash)] {
        lock.lock()
        defer { lock.unlock() }
        return computed.map { (path: $0.key, size: $0.value.size, modified: $0.value.modified, hash: $0.value.hash) }
            .sorted { $0.path < $1.path }
    }
}
