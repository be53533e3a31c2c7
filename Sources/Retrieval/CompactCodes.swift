import CRetrieval
import Dispatch
import Foundation

/// Int8 codes of unit rows with one scale per row: `row ≈ scale · code`, `code ∈ [-127, 127]`.
/// 1 byte per value (a quarter of Float32), scanned by the calling thread's ``Int8Kernel/current``; a scan of many rows is split
/// over all cores.
final class CompactCodes: @unchecked Sendable {
    // @unchecked Sendable: safe because the buffers are written only in `init` and read-only after.

    /// Number of coded rows (positions).
    let count: Int
    let dimension: Int
    /// `[count, dimension]` codes.
    private let codes: UnsafeMutableBufferPointer<Int8>
    /// `[count]` scales (`max |value| / 127`).
    private let scales: UnsafeMutableBufferPointer<Float>
    /// Largest query magnitude after scaling; keeps int32 sums exact for dimension ≤ 2048.
    static let queryRange: Float = 8191

    /// Rows handled per kernel call (scores stay in L1/L2 cache).
    private static let block = 2048

    /// A scan is split over threads only when each gets at least this many rows (about 1 ms of work at
    /// dimension 512): below that, waking a second thread costs more than it saves on a busy machine.
    static let minimumRowsPerThread = 16_384

    /// Threads used for scans and quantisation.
    static var threads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Codes the `count` rows of `matrix` (`[rows, dimension]` unit rows); position `p` holds row `order[p]`
    /// when `order` is given (`count` entries), row `p` otherwise.
    init(matrix: UnsafePointer<Float>, count: Int, dimension: Int, order: [Int32]? = nil) {
        precondition(order == nil || order!.count == count, "order must give one row per position")
        self.count = count
        self.dimension = dimension
        codes = .allocate(capacity: max(count * dimension, 1))
        scales = .allocate(capacity: max(count, 1))
        let codes = self.codes, scales = self.scales
        Self.parallelRanges(count, minimumPerThread: 4096) { range in
            for p in range {
                let row = order.map { Int($0[p]) } ?? p
                scales[p] = Self.quantize(matrix + row * dimension, dimension: dimension, into: codes.baseAddress! + p * dimension)
            }
        }
    }

    /// Writes the int8 code of one unit row and returns its scale (`row ≈ scale · code`).
    static func quantize(_ row: UnsafePointer<Float>, dimension: Int, into out: UnsafeMutablePointer<Int8>) -> Float {
        var maxAbs: Float = 0
        for j in 0..<dimension { maxAbs = max(maxAbs, abs(row[j])) }
        let scale = maxAbs > 0 ? maxAbs / 127 : 1
        let inv = 1 / scale
        for j in 0..<dimension {
            out[j] = Int8(max(-127, min(127, (row[j] * inv).rounded())))
        }
        return scale
    }

    /// The int16 form of a unit query the int8 kernel multiplies with (`|value| ≤ queryRange`).
    static func queryCode(_ query: [Float]) -> [Int16] {
        let maxAbs = query.reduce(Float(0)) { max($0, abs($1)) }
        let qscale = maxAbs > 0 ? queryRange / maxAbs : 1
        return query.map { Int16(($0 * qscale).rounded()) }
    }

    deinit {
        codes.deallocate()
        scales.deallocate()
    }

    /// Runs `body` over `0..<n` split into one contiguous range per thread.
    static func parallelRanges(_ n: Int, minimumPerThread: Int, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(threads, n / max(minimumPerThread, 1)))
        parallelFor(parts) { p in body((n * p / parts)..<(n * (p + 1) / parts)) }
    }

    /// Runs `body(0..<parts)` concurrently and returns when all are done.
    static func parallelFor(_ parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            // Safe because concurrentPerform returns only after every iteration has finished, and callers
            // give each iteration disjoint output.
            let unchecked = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { unchecked.value($0) }
        }
    }

    /// The `count` positions with the best approximate scores for the unit `query`, best first.
    func candidates(for query: [Float], count wanted: Int) -> [SearchHit] {
        best(forCode: Self.queryCode(query), in: [0..<count], count: wanted).sorted()
    }

    /// The `wanted` positions among `ranges` with the best int8 scores against the query code `q16`
    /// (``queryCode(_:)``). The rows are split evenly over up to ``threads`` threads, each keeping its own best;
    /// the result does not depend on the split (ties rank the lower position first).
    func best(forCode q16: [Int16], in ranges: [Range<Int>], count wanted: Int) -> TopK {
        let total = ranges.reduce(0) { $0 + $1.count }
        let parts = max(1, min(Self.threads, total / Self.minimumRowsPerThread))
        var tops = [TopK](repeating: TopK(k: wanted), count: parts)
        let dimension = dimension, codes = codes, scales = scales
        let kernel = Int8Kernel.current.rawValue  // read here: the threads below do not share this task's choice
        tops.withUnsafeMutableBufferPointer { tops in
            q16.withUnsafeBufferPointer { qp in
                Self.parallelFor(parts) { p in
                    var top = TopK(k: wanted)
                    let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: Self.block)
                    defer { scratch.deallocate() }
                    for range in Self.share(p, of: parts, ranges, total: total) {
                        var start = range.lowerBound
                        while start < range.upperBound {
                            let rows = min(Self.block, range.upperBound - start)
                            retrieval_int8_scores(
                                kernel, codes.baseAddress! + start * dimension, scales.baseAddress! + start, rows, dimension,
                                qp.baseAddress!, scratch.baseAddress!)
                            top.offer(scores: UnsafeBufferPointer(rebasing: scratch[0..<rows]), firstRow: start)
                            start += rows
                        }
                    }
                    tops[p] = top
                }
            }
        }
        var merged = tops[0]
        for t in tops.dropFirst() { merged.merge(t) }
        return merged
    }

    /// Part `p` of `parts` of the rows in `ranges` (`total` rows in all): the sub-ranges holding rows
    /// `total·p/parts ..< total·(p+1)/parts` counted through the ranges in order.
    static func share(_ p: Int, of parts: Int, _ ranges: [Range<Int>], total: Int) -> [Range<Int>] {
        let first = total * p / parts, last = total * (p + 1) / parts
        var out: [Range<Int>] = []
        var seen = 0
        for range in ranges {
            let lo = max(first, seen), hi = min(last, seen + range.count)
            if lo < hi { out.append((range.lowerBound + lo - seen)..<(range.lowerBound + hi - seen)) }
            seen += range.count
            if seen >= last { break }
        }
        return out
    }
}

/// Wraps a value for use in a `@Sendable` closure when the caller guarantees there is no data race.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
