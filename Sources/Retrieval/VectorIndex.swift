import CRetrieval
import Dispatch
import Foundation
import Numerics

/// Unit-length Float32 vectors held as one contiguous row-major matrix `[count, dimension]`, searched by
/// cosine similarity.
///
/// - Exact search: one `cblas_sgemv` (one `cblas_sgemm` per block for query batches), then a top-k heap.
/// - Compact search (large collections): int8 codes with a per-row scale scanned on all cores (by the fastest
///   ``Int8Kernel`` the CPU has), the best candidates re-ranked exactly in Float32.
/// Ties rank the lower row first, so results are deterministic.
public final class VectorIndex: @unchecked Sendable {
    // @unchecked Sendable: safe because every stored buffer is written only inside `init` and read-only after.

    /// Length of every vector.
    public let dimension: Int
    /// Number of rows.
    public let count: Int
    /// `[count, dimension]` unit rows.
    private let matrix: UnsafeMutableBufferPointer<Float>
    /// Int8 codes and scales when the index was built compact.
    private let codes: CompactCodes?

    /// Collections at least this large get compact codes by default.
    public static let compactThreshold = 100_000

    /// Builds an index from row-major values `[count * dimension]`; each row is L2-normalised.
    /// - Parameter compact: build int8 codes for ``compactSearch(_:k:candidates:)``; default: when
    ///   `count >= compactThreshold`.
    /// - Throws: ``RetrievalError`` when the value count is not a multiple of `dimension` or a row is zero.
    public convenience init(dimension: Int, values: [Float], compact: Bool? = nil) throws {
        guard dimension > 0, values.count % dimension == 0 else {
            throw RetrievalError.dimensionMismatch(
                expected: dimension, actual: values.count % max(dimension, 1), what: "last row of the index values")
        }
        try self.init(dimension: dimension, count: values.count / dimension, compact: compact) { buffer in
            _ = buffer.initialize(from: values)
        }
    }

    /// Builds an index from rows of equal length; each row is L2-normalised.
    /// - Throws: ``RetrievalError`` naming the first row of the wrong length or of zero length.
    public convenience init(rows: [[Float]], dimension: Int, compact: Bool? = nil) throws {
        for (i, r) in rows.enumerated() where r.count != dimension {
            throw RetrievalError.dimensionMismatch(expected: dimension, actual: r.count, what: "row \(i)")
        }
        try self.init(dimension: dimension, count: rows.count, compact: compact) { buffer in
            for (i, r) in rows.enumerated() {
                for j in 0..<dimension { buffer[i * dimension + j] = r[j] }
            }
        }
    }

    /// Builds an index whose row `i` is written by `row(i, buffer)` (`buffer` holds `dimension` values),
    /// rows filled concurrently on all cores; rows are then L2-normalised.
    /// - Throws: ``RetrievalError/degenerateVector(what:)`` for a zero or non-finite row.
    public convenience init(
        dimension: Int, count: Int, compact: Bool? = nil,
        parallelRows row: @Sendable (Int, UnsafeMutableBufferPointer<Float>) -> Void
    ) throws {
        try self.init(dimension: dimension, count: count, compact: compact) { buffer in
            CompactCodes.parallelRanges(count, minimumPerThread: 1024) { range in
                for i in range {
                    row(i, UnsafeMutableBufferPointer(rebasing: buffer[(i * dimension)..<((i + 1) * dimension)]))
                }
            }
        }
    }

    /// Builds an index whose `[count, dimension]` values are written by `fill` (no intermediate copy);
    /// rows are then L2-normalised.
    /// - Throws: ``RetrievalError/degenerateVector(what:)`` for a zero or non-finite row, or what `fill` throws.
    public init(
        dimension: Int, count: Int, compact: Bool? = nil,
        fill: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) throws {
        precondition(dimension > 0 && count >= 0, "dimension must be positive and count non-negative")
        self.dimension = dimension
        self.count = count
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count * dimension, 1))
        buffer.initialize(repeating: 0)
        do {
            try fill(buffer)
            let bad = Self.normalizeRows(buffer, count: count, dimension: dimension)
            if let bad { throw RetrievalError.degenerateVector(what: "row \(bad)") }
        } catch {
            buffer.deallocate()
            throw error
        }
        matrix = buffer
        codes = (compact ?? (count >= Self.compactThreshold)) ? CompactCodes(matrix: buffer.baseAddress!, count: count, dimension: dimension) : nil
    }

    deinit { matrix.deallocate() }

    /// Whether int8 codes were built.
    public var isCompact: Bool { codes != nil }

    /// Start of the `[count, dimension]` unit rows (valid while the index lives).
    var rows: UnsafePointer<Float> { UnsafePointer(matrix.baseAddress!) }

    /// The `[count, dimension]` unit rows as a tensor sharing the index's memory (which the tensor keeps alive).
    public var unitRows: Tensor {
        Tensor(shape: [count, dimension], storage: TensorStorage(borrowing: rows, count: count * dimension, owner: self))
    }

    /// The stored (unit) vector of `row`.
    public func vector(at row: Int) -> [Float] {
        precondition(row >= 0 && row < count, "row \(row) out of range 0..<\(count)")
        return Array(matrix[(row * dimension)..<((row + 1) * dimension)])
    }

    /// The unit-length copy of `query`.
    /// - Throws: ``RetrievalError`` for a wrong length or a zero vector.
    public func normalizedQuery(_ query: [Float]) throws -> [Float] {
        guard query.count == dimension else {
            throw RetrievalError.dimensionMismatch(expected: dimension, actual: query.count, what: "query vector")
        }
        var q = query
        let bad = q.withUnsafeMutableBufferPointer { Self.normalizeRows($0, count: 1, dimension: dimension) }
        if bad != nil { throw RetrievalError.degenerateVector(what: "query vector") }
        return q
    }

    /// Best `k` rows for `query`: compact search when the index has codes, exact otherwise.
    public func search(_ query: [Float], k: Int) throws -> [SearchHit] {
        isCompact ? try compactSearch(query, k: k) : try exactSearch(query, k: k)
    }

    /// Exact best `k` rows by cosine similarity: one `cblas_sgemv` over the whole matrix. O(count·dimension).
    public func exactSearch(_ query: [Float], k: Int) throws -> [SearchHit] {
        let q = try normalizedQuery(query)
        if count == 0 || k <= 0 { return [] }
        var scores = [Float](repeating: 0, count: count)
        scores.withUnsafeMutableBufferPointer { s in
            q.withUnsafeBufferPointer { qp in
                BLAS.gemv(m: count, n: dimension, alpha: 1,
                    a: matrix.baseAddress, lda: dimension, x: qp.baseAddress, beta: 0, y: s.baseAddress)
            }
        }
        var top = TopK(k: k)
        scores.withUnsafeBufferPointer { top.offer(scores: $0, firstRow: 0) }
        return top.sorted()
    }

    /// Exact best `k` rows for each query: `cblas_sgemm` over blocks of rows. O(queries·count·dimension).
    public func exactSearch(queries: [[Float]], k: Int) throws -> [[SearchHit]] {
        let qs = try queries.map(normalizedQuery)
        if qs.isEmpty { return [] }
        if count == 0 || k <= 0 { return qs.map { _ in [] } }
        let nq = qs.count
        let flat = qs.flatMap { $0 }
        var tops = [TopK](repeating: TopK(k: k), count: nq)
        let block = max(1, min(count, (1 << 22) / nq))
        var scores = [Float](repeating: 0, count: nq * block)
        var start = 0
        while start < count {
            let rows = min(block, count - start)
            scores.withUnsafeMutableBufferPointer { s in
                flat.withUnsafeBufferPointer { qp in
                    BLAS.gemm(transposeA: false, transposeB: true, m: nq, n: rows, k: dimension, alpha: 1,
                        a: qp.baseAddress, lda: dimension, b: matrix.baseAddress! + start * dimension, ldb: dimension, beta: 0, c: s.baseAddress, ldc: rows)
                }
                for i in 0..<nq {
                    tops[i].offer(scores: UnsafeBufferPointer(rebasing: s[(i * rows)..<((i + 1) * rows)]), firstRow: start)
                }
            }
            start += rows
        }
        return tops.map { $0.sorted() }
    }

    /// Approximate best `k` rows: int8 scores over every row (all cores), then the best `candidates`
    /// re-ranked with exact Float32 dot products. Builds nothing; requires ``isCompact``.
    /// - Parameter candidates: rows re-ranked exactly (default `max(10·k, 100)`).
    public func compactSearch(_ query: [Float], k: Int, candidates: Int? = nil) throws -> [SearchHit] {
        precondition(codes != nil, "compactSearch needs an index built with compact: true")
        let q = try normalizedQuery(query)
        if count == 0 || k <= 0 { return [] }
        let shortlist = codes!.candidates(for: q, count: max(candidates ?? max(10 * k, 100), k))
        var top = TopK(k: k)
        q.withUnsafeBufferPointer { qp in
            for hit in shortlist {
                let score = BLAS.dot(count: dimension, qp.baseAddress, matrix.baseAddress! + hit.row * dimension)
                top.offer(row: hit.row, score: score)
            }
        }
        return top.sorted()
    }

    /// Normalises each row in place; returns the first row that cannot be normalised.
    static func normalizeRows(_ buffer: UnsafeMutableBufferPointer<Float>, count: Int, dimension: Int) -> Int? {
        for i in 0..<count {
            let base = buffer.baseAddress! + i * dimension
            let norm = BLAS.norm(count: dimension, base)
            guard norm > 0, norm.isFinite else { return i }
            BLAS.scale(count: dimension, by: 1 / norm, base)
        }
        return nil
    }
}
