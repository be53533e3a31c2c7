import CNumerics
import Dispatch
import Foundation
import Synchronization

/// Helper threads kept ready between the rounds of parallel work of a forward pass.
///
/// A forward pass runs 60–80 short rounds (one per matrix product, attention, layer norm), often 50–500 µs each. Dispatch's
/// `concurrentPerform` wakes its pool threads on demand, which takes tens of microseconds — as long as a whole round
/// of an 8-token text — so most of those rounds ran on the calling thread alone. Here the helpers poll for the next
/// round for ``spinWindow`` after finishing one (a forward pass keeps them busy), then sleep on a condition until
/// woken; an idle process uses no CPU. While polling, a helper yields its core every few microseconds, so a thread
/// with real work (another encoder, the explorer's interface) is not held up by it.
///
/// One round at a time: a round asked for while another is in flight (another thread encoding at the same time, or
/// a round started from inside a round), or for more than 255 threads, goes to `DispatchQueue.concurrentPerform`.
final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool.
    static let shared = WorkerPool()

    /// How long a helper polls for the next round before it goes to sleep.
    static let spinWindow: UInt64 = 200_000  // ns

    /// Announces a round: `round number · 256 + participants`, stored (sequentially consistent) by the one caller
    /// holding `busy`; helpers wait for it to change. Carrying the participant count in the same word lets a helper
    /// that takes no part in a round skip it without reading `job`, which the next round may already be replacing.
    private let generation = Atomic<Int>(0)
    /// Helpers of the current round that have not finished yet.
    private let remaining = Atomic<Int>(0)
    /// Helpers asleep on `wake`, or about to be.
    private let sleepers = Atomic<Int>(0)
    /// Set while a round is in flight (the pool serves one round at a time).
    private let busy = Atomic<Bool>(false)
    /// The current round's body, read only by its participants (helpers `1..<participants`).
    private nonisolated(unsafe) var job: ((Int) -> Void)?
    /// The caller's kernel ceiling (``KernelLevel/withCeiling(_:_:)``), which the round's helpers take on.
    private nonisolated(unsafe) var jobCeiling: Int32 = NUMERICS_KERNELS_AVX512
    private let wake = NSCondition()
    /// Helper threads started so far (guarded by `wake`).
    private nonisolated(unsafe) var helperCount = 0

    /// Runs `body(0)`, `body(1)`, …, `body(count - 1)` concurrently — index 0 on the calling thread — and returns
    /// when all have returned. Every participant runs the C kernels under the caller's kernel ceiling.
    func perform(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        let ceiling = numerics_kernels_ceiling()
        // `generation` has room for 255 participants.
        guard count < 256, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            withoutActuallyEscaping(body) { escaping in
                let shared = UncheckedBody(body: escaping)
                DispatchQueue.concurrentPerform(iterations: count) { index in
                    // Dispatch's threads serve others too: their own ceiling comes back afterwards.
                    let before = numerics_kernels_ceiling()
                    numerics_kernels_set_ceiling(ceiling)
                    shared.body(index)
                    numerics_kernels_set_ceiling(before)
                }
            }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        startHelpers(upTo: count - 1)
        withoutActuallyEscaping(body) { escaping in
            job = escaping
            jobCeiling = ceiling
            remaining.store(count - 1, ordering: .relaxed)
            let round = generation.load(ordering: .relaxed) >> 8 + 1
            generation.store(round << 8 | count, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            escaping(0)
            while remaining.load(ordering: .acquiring) > 0 { numerics_cpu_relax() }
            job = nil
        }
    }

    private func startHelpers(upTo wanted: Int) {
        wake.lock()
        defer { wake.unlock() }
        while helperCount < wanted {
            helperCount += 1
            let index = helperCount
            let seen = generation.load(ordering: .sequentiallyConsistent)
            // The helper keeps the pool alive: it may still be polling `generation` when the last caller lets go.
            let thread = Thread { self.helperLoop(index: index, seen: seen) }
            thread.name = "scenarioclip.numerics.\(index)"
            thread.start()
        }
    }

    private func helperLoop(index: Int, seen start: Int) {
        var seen = start
        while true {
            seen = waitForRound(after: seen)
            if index < seen & 255 {
                runJob(index)
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }

    /// Calls the round's body; the reference it takes to `job` is gone when this returns, before the helper reports
    /// the round done (the caller checks that nothing kept the body).
    @inline(never)
    private func runJob(_ index: Int) {
        numerics_kernels_set_ceiling(jobCeiling)
        job?(index)
    }

    /// Polls for a generation after `seen` for ``spinWindow``, then sleeps until one is announced; returns it.
    private func waitForRound(after seen: Int) -> Int {
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinWindow
        var polls = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            polls += 1
            if polls & 255 == 0 {
                if DispatchTime.now().uptimeNanoseconds > deadline { break }
                // Every few microseconds, let another thread that wants this core run (more threads than cores).
                sched_yield()
            }
            numerics_cpu_relax()
        }
        wake.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        wake.unlock()
        return generation.load(ordering: .acquiring)
    }
}

/// A body handed to Dispatch's threads, which the caller keeps alive until they return.
private struct UncheckedBody: @unchecked Sendable {
    let body: (Int) -> Void
}
