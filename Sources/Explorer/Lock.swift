import Foundation

/// A small mutex (Foundation's `NSLock`) with a closure-scoped `withLock`.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()

    /// Runs `body` holding the lock.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
