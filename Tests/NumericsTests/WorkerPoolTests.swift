import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Numerics

/// ``WorkerPool`` and the ``Parallel`` helpers built on it: every index or element exactly once, whether the helpers
/// are polling or asleep, from several threads at once, and from inside a round.
@Suite struct WorkerPoolTests {
    /// How many times each index or element was visited.
    final class Hits: Sendable {
        private let counts: Mutex<[Int]>
        init(_ count: Int) { counts = Mutex([Int](repeating: 0, count: count)) }
        func record(_ index: Int) { counts.withLock { $0[index] += 1 } }
        var values: [Int] { counts.withLock { $0 } }
    }

    /// Runs `count` indices through `pool` and returns how many times each ran.
    static func counts(_ pool: WorkerPool, _ count: Int) -> [Int] {
        let hits = Hits(count)
        pool.perform(count) { hits.record($0) }
        return hits.values
    }

    @Test func everyIndexRunsOnceRoundAfterRound() {
        let pool = WorkerPool()
        for round in 0..<500 {
            let count = 1 + round % 4
            #expect(Self.counts(pool, count) == [Int](repeating: 1, count: count), "round \(round)")
        }
        #expect(Self.counts(pool, 0) == [])
        #expect(Self.counts(pool, 300) == [Int](repeating: 1, count: 300))
    }

    /// Helpers that have gone to sleep after the spin window are woken by the next round.
    @Test func sleepingHelpersWakeForTheNextRound() {
        let pool = WorkerPool()
        for round in 0..<4 {
            #expect(Self.counts(pool, 3) == [1, 1, 1], "round \(round)")
            Thread.sleep(forTimeInterval: Double(WorkerPool.spinWindow) / 1e9 * 3)
        }
    }

    /// The helpers really run concurrently with the caller: index 0 waits until index 1 has started.
    @Test func helpersRunBesideTheCaller() {
        let pool = WorkerPool()
        let started = Atomic<Bool>(false)
        let waited = Atomic<Bool>(false)
        pool.perform(2) { index in
            if index == 1 {
                started.store(true, ordering: .releasing)
            } else {
                let deadline = Date().addingTimeInterval(10)
                while !started.load(ordering: .acquiring), Date() < deadline {}
                waited.store(started.load(ordering: .acquiring), ordering: .relaxed)
            }
        }
        let helperStartedFirst = waited.load(ordering: .relaxed)
        #expect(helperStartedFirst)
    }

    /// A round started from inside a round, and rounds started by several threads at once, all complete with
    /// every index run once (the pool serves one; the others go through Dispatch).
    @Test func nestedAndConcurrentRoundsComplete() {
        let pool = WorkerPool()
        let inner = Hits(4)
        pool.perform(2) { outer in
            pool.perform(2) { inner.record(outer * 2 + $0) }
        }
        #expect(inner.values == [1, 1, 1, 1])
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<200 where Self.counts(pool, 2) != [1, 1] { failures.add(1, ordering: .relaxed) }
        }
        let failed = failures.load(ordering: .relaxed)
        #expect(failed == 0)
    }

    /// `forEachPiece` and `forEachChunk` cover their range exactly once for any thread count.
    @Test(arguments: [1, 2, 3])
    func parallelHelpersCoverTheRangeOnce(threads: Int) {
        for count in [0, 1, 7, 64, 1000] {
            let pieces = Hits(count)
            Parallel.forEachPiece(count, pieceSize: 5, threads: threads) { range in
                for i in range { pieces.record(i) }
            }
            #expect(pieces.values == [Int](repeating: 1, count: count), "forEachPiece \(count)")
            let chunks = Hits(count)
            Parallel.forEachChunk(count, minimumChunk: 3, alignment: 4, threads: threads) { range in
                for i in range { chunks.record(i) }
            }
            #expect(chunks.values == [Int](repeating: 1, count: count), "forEachChunk \(count)")
        }
    }

    /// `forEachGuidedPiece` covers its range exactly once, never hands out more than `largestPiece` at a time, and
    /// ends on single pieces: each range is at most a quarter of what was left per thread. The next range it
    /// announces to `body` is one that runs.
    @Test(arguments: [1, 2, 3])
    func guidedPiecesCoverTheRangeOnceAndShrink(threads: Int) {
        for (count, largest) in [(0, 4), (1, 4), (7, 1), (32, 4), (96, 4), (1000, 16)] {
            let hits = Hits(count)
            let ranges = Mutex<[Range<Int>]>([])
            let announced = Mutex<[Range<Int>]>([])
            Parallel.forEachGuidedPiece(count, largestPiece: largest, threads: threads) { range, next in
                for i in range { hits.record(i) }
                ranges.withLock { $0.append(range) }
                if let next { announced.withLock { $0.append(next) } }
            }
            // Every announced next range is run (by the thread that announced it), and all but one per thread are.
            let run = Set(ranges.withLock { $0 }), next = announced.withLock { $0 }
            #expect(next.allSatisfy(run.contains), "\(count) by \(largest): announced ranges run")
            #expect(next.count >= run.count - threads, "\(count) by \(largest): next ranges announced")
            #expect(hits.values == [Int](repeating: 1, count: count), "\(count) by \(largest)")
            let handedOut = ranges.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
            guard threads > 1 else {
                #expect(handedOut == (count > 0 ? [0..<count] : []), "one thread runs everything at once")
                continue
            }
            let workers = min(threads, count)
            for range in handedOut {
                let left = count - range.lowerBound
                #expect(range.count <= max(1, min(largest, left / (2 * workers))), "\(range) of \(count)")
            }
            if count > 0 { #expect(handedOut.last?.count == 1, "the last range of \(count) is a single piece") }
        }
    }
}
