import CRetrieval
import Dispatch
import Foundation

/// Int8 codes of unit rows with one scale per row: `row ≈ scale · code`, `code ∈ [-127, 127]`.
/// 1 byte per value (a quarter of Float32), scanned by the C kernel on all cores.
final class CompactCodes: @unchecked Sendable {
    // @unchecked Sendable: safe because the buffers are written only in `init` and read-only after.

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

    /// Threads used for scans and quantisation.
    static var threads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    init(matrix: UnsafeMutableBufferPointer<Float>, count: Int, dimension: Int) {
        self.count = count
        self.dimension = dimension
        codes = .allocate(capacity: max(count * dimension, 1))
        scales = .allocate(capacity: max(count, 1))
        let codes = self.codes, scales = self.scales
        Self.parallelRanges(count, minimumPerThread: 4096) { range in
            for i in range {
                scales[i] = Self.quantize(matrix.baseAddress! + i * dimension, dimension: dimension, into: codes.baseAddress! + i * dimension)
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

    /// The `count` rows with the best approximate scores for the unit `query`, best first.
    func candidates(for query: [Float], count wanted: Int) -> [SearchHit] {
        let q16 = Self.queryCode(query)
        let parts = max(1, min(Self.threads, count / 65536))
        var tops = [TopK](repeating: TopK(k: wanted), count: parts)
        tops.withUnsafeMutableBufferPointer { tops in
            q16.withUnsafeBufferPointer { qp in
                Self.parallelFor(parts) { p in
                    let range = (count * p / parts)..<(count * (p + 1) / parts)
                    var top = TopK(k: wanted)
                    let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: Self.block)
                    defer { scratch.deallocate() }
                    var start = range.lowerBound
                    while start < range.upperBound {
                        let rows = min(Self.block, range.upperBound - start)
                        retrieval_int8_scores(
                            codes.baseAddress! + start * dimension, scales.baseAddress! + start, rows, dimension,
                            qp.baseAddress!, scratch.baseAddress!)
                        top.offer(scores: UnsafeBufferPointer(rebasing: scratch[0..<rows]), firstRow: start)
                        start += rows
                    }
                    tops[p] = top
                }
            }
        }
        var merged = TopK(k: wanted)
        for t in tops { merged.merge(t) }
        return merged.sorted()
    }
}

/// Wraps a value for use in a `@Sendable` closure when the caller guarantees there is no data race.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
