import Dispatch
import Synchronization

/// Splits element-wise work (activations, LayerNorm rows, attention heads) across a few threads.
public enum Parallel {
    /// Threads the calling task (or thread) splits work across; `nil` follows ``BLAS/threadCount``. Set for a
    /// piece of work with ``withThreads(_:_:)``, never process-wide. A round's helper threads do not inherit it: work
    /// they start themselves follows ``BLAS/threadCount``.
    @TaskLocal public static var threadCount: Int? = nil

    /// Runs `body` with its ``Parallel`` work (and the kernel products it runs) split across at most `threads`
    /// threads (`nil`: ``BLAS/threadCount``).
    public static func withThreads<Result>(_ threads: Int?, _ body: () throws -> Result) rethrows -> Result {
        try $threadCount.withValue(threads, operation: body)
    }

    static var effectiveThreadCount: Int { max(1, threadCount ?? BLAS.threadCount) }

    /// Runs `body` on contiguous sub-ranges of `0..<count` covering it exactly once, concurrently when the work
    /// is large enough: at most ``threadCount`` chunks, each at least `minimumChunk` long and (except the last)
    /// a multiple of `alignment`. `threads` overrides ``threadCount`` for this call.
    public static func forEachChunk(
        _ count: Int, minimumChunk: Int = 1, alignment: Int = 1, threads: Int? = nil,
        _ body: @Sendable (Range<Int>) -> Void
    ) {
        let chunks = min(max(1, threads ?? effectiveThreadCount), count / max(minimumChunk, 1))
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let even = (count + chunks - 1) / chunks
        let size = (even + alignment - 1) / alignment * alignment
        WorkerPool.shared.perform(chunks) { index in
            let start = min(count, index * size)
            let end = index == chunks - 1 ? count : min(count, start + size)
            if start < end { body(start..<end) }
        }
    }

    /// Runs `body` on the pieces `0..<chunkSize`, `chunkSize..<2·chunkSize`, … of `0..<count` (each exactly once),
    /// handed out one at a time to up to ``threadCount`` threads: a thread slowed down by other processes on the
    /// machine takes fewer pieces instead of holding everybody up. With one thread, or a single piece, `body` runs
    /// once on all of `0..<count` on the calling thread. `threads` overrides ``threadCount`` for this call.
    public static func forEachPiece(
        _ count: Int, pieceSize: Int, threads: Int? = nil, _ body: @Sendable (Range<Int>) -> Void
    ) {
        let size = max(1, pieceSize)
        let pieces = (count + size - 1) / size
        let threads = min(max(1, threads ?? effectiveThreadCount), pieces)
        if threads <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let next = Atomic<Int>(0)
        WorkerPool.shared.perform(threads) { _ in
            while true {
                let piece = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if piece >= pieces { break }
                body((piece * size)..<min(count, (piece + 1) * size))
            }
        }
    }
}

extension Parallel {
    /// Runs `body` on consecutive ranges of `0..<count` covering it exactly once, handed out to up to
    /// ``threadCount`` threads as they come free, like OpenMP's guided schedule: each range takes a quarter of
    /// what is left per thread (at most `largestPiece`, at least 1), so the ranges shrink to single pieces at the
    /// end and the threads finish close together. Each thread claims its next range before running the current
    /// one and passes it to `body` as the second argument (`nil` for its last), so that `body` can request that
    /// range's memory while it finishes. With one thread `body` runs once on all of `0..<count`.
    public static func forEachGuidedPiece(
        _ count: Int, largestPiece: Int, threads: Int? = nil, _ body: @Sendable (Range<Int>, Range<Int>?) -> Void
    ) {
        let threads = min(max(1, threads ?? effectiveThreadCount), count)
        if threads <= 1 {
            if count > 0 { body(0..<count, nil) }
            return
        }
        let largest = max(1, largestPiece)
        let next = Atomic<Int>(0)
        @Sendable func claim() -> Range<Int>? {
            var start = next.load(ordering: .relaxed)
            while start < count {
                let size = min(largest, max(1, (count - start) / (2 * threads)))
                let (exchanged, current) = next.compareExchange(
                    expected: start, desired: start + size, ordering: .relaxed)
                if exchanged { return start..<(start + size) }
                start = current
            }
            return nil
        }
        WorkerPool.shared.perform(threads) { _ in
            var current = claim()
            while let range = current {
                let following = claim()
                body(range, following)
                current = following
            }
        }
    }
}

/// A pointer handed to ``Parallel`` workers that write disjoint ranges of it.
public struct UnsafeMutableSendablePointer: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public init(_ base: UnsafeMutablePointer<Float>) { self.base = base }
}

/// A read-only pointer shared with ``Parallel`` workers.
public struct UnsafeSendablePointer: @unchecked Sendable {
    public let base: UnsafePointer<Float>
    public init(_ base: UnsafePointer<Float>) { self.base = base }
}
