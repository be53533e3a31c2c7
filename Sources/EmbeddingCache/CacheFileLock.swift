import Foundation

/// An exclusive `flock` on a lock file beside a cache (`<cache>.<purpose>-lock`), so that two processes do not do
/// the same long write to one cache at once. The kernel releases it when the holder exits, however it exits
/// (a SIGKILLed holder leaves no stale lock behind).
public final class CacheFileLock {
    /// The lock file.
    public let path: String
    private var descriptor: Int32

    /// Why a lock could not be taken.
    public enum Failure: Error, CustomStringConvertible {
        /// The lock file cannot be created or opened.
        case unopenable(path: String, reason: String)
        /// Another process holds it (only when not waiting).
        case held(path: String)

        public var description: String {
            switch self {
            case .unopenable(let path, let reason): return "cannot open the lock file \(path): \(reason)"
            case .held(let path): return "another process holds \(path)"
            }
        }
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// The lock file for `purpose` beside the cache at `cachePath`.
    public static func path(beside cachePath: String, purpose: String) -> String {
        cachePath + "." + purpose + "-lock"
    }

    /// Takes the lock without waiting.
    /// - Throws: ``Failure/held(path:)`` when another process holds it; ``Failure/unopenable(path:reason:)``.
    public static func take(beside cachePath: String, purpose: String) throws -> CacheFileLock {
        let path = path(beside: cachePath, purpose: purpose)
        let descriptor = try openLockFile(path)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Failure.held(path: path)
        }
        return CacheFileLock(path: path, descriptor: descriptor)
    }

    /// Takes the lock, waiting while another process holds it: `waiting` is called once when it must wait, and
    /// `isCancelled` is polled every 100 ms while waiting. Returns `nil` when cancelled before the lock was free.
    public static func wait(beside cachePath: String, purpose: String, waiting: (String) -> Void,
                            isCancelled: () -> Bool) throws -> CacheFileLock? {
        let path = path(beside: cachePath, purpose: purpose)
        let descriptor = try openLockFile(path)
        var announced = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw Failure.unopenable(path: path, reason: reason)
            }
            if !announced {
                waiting(path)
                announced = true
            }
            if isCancelled() {
                close(descriptor)
                return nil
            }
            usleep(100_000)
        }
        return CacheFileLock(path: path, descriptor: descriptor)
    }

    private static func openLockFile(_ path: String) throws -> Int32 {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure.unopenable(path: path, reason: String(cString: strerror(errno))) }
        return descriptor
    }

    /// Releases the lock (also done when the lock is deallocated).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
