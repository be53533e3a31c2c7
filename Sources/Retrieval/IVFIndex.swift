import Numerics
import Foundation

/// An inverted-file (IVF) index over a ``VectorIndex``: unit centroids from spherical k-means split the rows
/// into lists; a query scans the int8 codes of the `probes` lists whose centroids are nearest, plus every row
/// not assigned to a list (rows added after training), and re-ranks the best candidates exactly in Float32.
///
/// Memory: one int8 code and one scale per row (`count · (dimension + 4)` bytes) plus the centroids, on top
/// of the base index's Float32 rows. A query reads about `probes / lists` of the codes.
///
/// Staleness: when more than ``maximumUnassignedFraction`` of the rows are unassigned, ``search(_:k:probes:candidates:)``
/// answers from the base index instead (int8 or exact scan), so results never depend on an outdated layout;
/// retrain with ``trainCentroids(base:lists:sampleSize:iterations:seed:)`` to restore speed.
public final class IVFIndex: @unchecked Sendable {
    // @unchecked Sendable: safe because every buffer is written only inside `init` and read-only after.

    /// The Float32 rows (re-ranking, fallback search).
    public let base: VectorIndex
    /// Number of lists (centroids).
    public let lists: Int
    /// `[lists, dimension]` unit centroids.
    private let centroids: [Float]
    /// Start of each list in list order; list `lists` holds the unassigned rows. `lists + 2` entries.
    private let offsets: [Int]
    /// Base row of each position in list order.
    private let rowOfPosition: [Int32]
    /// Int8 codes and scales in list order (position `p` codes row `rowOfPosition[p]`).
    private let codes: CompactCodes

    /// Collections smaller than this are searched without an IVF layer (a full int8 or exact scan is fast enough).
    public static let minimumRows = 50_000
    /// Above this fraction of unassigned rows the index counts as stale.
    public static let maximumUnassignedFraction = 0.1

    /// Rows not assigned to any list (scanned by every query).
    public var unassignedCount: Int { offsets[lists + 1] - offsets[lists] }

    /// Whether too many rows are unassigned for the lists to be worth probing.
    public var isStale: Bool { Double(unassignedCount) > Self.maximumUnassignedFraction * Double(max(base.count, 1)) }

    /// The layout as stored: `[lists, dimension]` unit centroids and each base row's list (`-1` for unassigned
    /// rows), e.g. to build a ``NeighbourGraph`` over the same lists.
    public var layout: (centroids: [Float], assignments: [Int32]) {
        var assignments = [Int32](repeating: -1, count: base.count)
        for list in 0..<lists {
            for position in offsets[list]..<offsets[list + 1] { assignments[Int(rowOfPosition[position])] = Int32(list) }
        }
        return (centroids, assignments)
    }

    /// Lists probed by default: `max(8, lists / 16)` (about 6 % of the rows).
    public var defaultProbes: Int { min(lists, max(8, lists / 16)) }

    /// Arranges `base`'s rows into lists.
    /// - Parameters:
    ///   - centroids: `[lists, base.dimension]` values (normalised here).
    ///   - assignments: the list of each base row, `-1` for rows not assigned (e.g. added after training).
    /// - Throws: ``RetrievalError`` when the sizes disagree, a list number is out of range, or a centroid is zero.
    public init(base: VectorIndex, centroids: [Float], assignments: [Int32]) throws {
        let d = base.dimension
        guard !centroids.isEmpty, centroids.count % d == 0 else {
            throw RetrievalError.dimensionMismatch(expected: d, actual: centroids.count % d == 0 ? 0 : centroids.count % d, what: "IVF centroids")
        }
        guard assignments.count == base.count else {
            throw RetrievalError.dimensionMismatch(expected: base.count, actual: assignments.count, what: "IVF assignments (one per row)")
        }
        let lists = centroids.count / d
        var unit = centroids
        let bad = unit.withUnsafeMutableBufferPointer { VectorIndex.normalizeRows($0, count: lists, dimension: d) }
        if let bad { throw RetrievalError.degenerateVector(what: "IVF centroid \(bad)") }
        if let wrong = assignments.firstIndex(where: { $0 < -1 || Int($0) >= lists }) {
            throw RetrievalError.dimensionMismatch(expected: lists, actual: Int(assignments[wrong]), what: "IVF list of row \(wrong)")
        }
        // Counting sort of rows by list; the unassigned go last (list `lists`).
        var sizes = [Int](repeating: 0, count: lists + 1)
        for a in assignments { sizes[a < 0 ? lists : Int(a)] += 1 }
        var offsets = [Int](repeating: 0, count: lists + 2)
        for l in 0...lists { offsets[l + 1] = offsets[l] + sizes[l] }
        var fill = Array(offsets[0...lists])
        var rowOfPosition = [Int32](repeating: 0, count: base.count)
        for (row, a) in assignments.enumerated() {
            let l = a < 0 ? lists : Int(a)
            rowOfPosition[fill[l]] = Int32(row)
            fill[l] += 1
        }
        let codes = CompactCodes(matrix: base.rows, count: base.count, dimension: d, order: rowOfPosition)
        self.base = base
        self.lists = lists
        self.centroids = unit
        self.offsets = offsets
        self.rowOfPosition = rowOfPosition
        self.codes = codes
    }

    /// Trains centroids and assigns every row: ``trainCentroids(base:lists:sampleSize:iterations:seed:)``
    /// then ``assign(base:centroids:)``.
    public static func build(over base: VectorIndex, lists: Int? = nil, iterations: Int = 8, seed: UInt64 = 1) throws -> IVFIndex {
        let centroids = trainCentroids(base: base, lists: lists, iterations: iterations, seed: seed)
        return try IVFIndex(base: base, centroids: centroids, assignments: assign(base: base, centroids: centroids))
    }

    /// Default list count for `count` rows: `√count` rounded, at least 1.
    public static func defaultLists(count: Int) -> Int { max(1, Int(Double(count).squareRoot().rounded())) }

    /// Spherical k-means on a sample of the rows: `[lists, dimension]` unit centroids.
    ///
    /// Centroids start at distinct sampled rows; each iteration assigns the sample by `cblas_sgemm` and moves
    /// every centroid to the normalised mean of its rows (an empty list takes the sample row its centroid
    /// fits worst). Deterministic for a given seed. O(iterations · sampleSize · lists · dimension).
    /// - Parameters:
    ///   - lists: default ``defaultLists(count:)``, at most the row count.
    ///   - sampleSize: default `min(count, 40 · lists)`.
    public static func trainCentroids(
        base: VectorIndex, lists: Int? = nil, sampleSize: Int? = nil, iterations: Int = 8, seed: UInt64 = 1
    ) -> [Float] {
        let n = base.count, d = base.dimension
        precondition(n > 0, "cannot train IVF centroids on an empty index")
        let k = min(n, max(1, lists ?? defaultLists(count: n)))
        let s = min(n, max(k, sampleSize ?? 40 * k))
        // Distinct sample rows (partial Fisher–Yates over a sparse permutation).
        var rng = SplitMix64(seed: seed)
        var swapped: [Int: Int] = [:]
        var sample = [Int](repeating: 0, count: s)
        for i in 0..<s {
            let j = i + Int(rng.next() % UInt64(n - i))
            let vj = swapped[j] ?? j
            swapped[j] = swapped[i] ?? i
            sample[i] = vj
        }
        var x = [Float](repeating: 0, count: s * d)
        x.withUnsafeMutableBufferPointer { out in
            for (i, row) in sample.enumerated() { (out.baseAddress! + i * d).update(from: base.rows + row * d, count: d) }
        }
        var c = Array(x[0..<(k * d)])
        var assignment = [Int32](repeating: 0, count: s)
        var best = [Float](repeating: 0, count: s)
        for _ in 0..<max(1, iterations) {
            x.withUnsafeBufferPointer { xp in
                c.withUnsafeBufferPointer { cp in
                    nearest(xp.baseAddress!, count: s, dimension: d, centroids: cp.baseAddress!, lists: k, into: &assignment, scores: &best)
                }
            }
            var sums = [Float](repeating: 0, count: k * d)
            var sizes = [Int](repeating: 0, count: k)
            sums.withUnsafeMutableBufferPointer { sp in
                x.withUnsafeBufferPointer { xp in
                    for i in 0..<s {
                        let l = Int(assignment[i])
                        sizes[l] += 1
                        BLAS.axpy(count: d, alpha: 1, x: xp.baseAddress! + i * d, y: sp.baseAddress! + l * d)
                    }
                }
            }
            // Empty lists restart at the sample rows that fit their centroid worst.
            let empty = (0..<k).filter { sizes[$0] == 0 }
            if !empty.isEmpty {
                let worst = (0..<s).sorted { best[$0] < best[$1] || (best[$0] == best[$1] && $0 < $1) }
                for (l, i) in zip(empty, worst) {
                    for j in 0..<d { sums[l * d + j] = x[i * d + j] }
                }
            }
            _ = sums.withUnsafeMutableBufferPointer { VectorIndex.normalizeRows($0, count: k, dimension: d) }
            c = sums
        }
        return c
    }

    /// The nearest centroid of every row of `base` (`cblas_sgemm` over blocks of rows). O(count · lists · dimension).
    public static func assign(base: VectorIndex, centroids: [Float]) -> [Int32] {
        let d = base.dimension
        precondition(centroids.count % d == 0 && !centroids.isEmpty, "centroids must be [lists, dimension]")
        var assignment = [Int32](repeating: 0, count: base.count)
        var scores = [Float](repeating: 0, count: base.count)
        centroids.withUnsafeBufferPointer { cp in
            nearest(base.rows, count: base.count, dimension: d, centroids: cp.baseAddress!, lists: centroids.count / d,
                    into: &assignment, scores: &scores)
        }
        return assignment
    }

    /// Best centroid (lowest list on ties) and its score for each of `count` rows.
    static func nearest(
        _ rows: UnsafePointer<Float>, count: Int, dimension d: Int, centroids: UnsafePointer<Float>, lists: Int,
        into assignment: inout [Int32], scores best: inout [Float]
    ) {
        let block = max(1, min(count, (1 << 22) / max(lists, 1)))
        var scores = [Float](repeating: 0, count: block * lists)
        var start = 0
        while start < count {
            let m = min(block, count - start)
            scores.withUnsafeMutableBufferPointer { sp in
                BLAS.gemm(transposeA: false, transposeB: true, m: m, n: lists, k: d, alpha: 1,
                    a: rows + start * d, lda: d, b: centroids, ldb: d, beta: 0, c: sp.baseAddress, ldc: lists)
                for i in 0..<m {
                    let r = sp.baseAddress! + i * lists
                    var bestList = 0
                    var bestScore = r[0]
                    for l in 1..<max(lists, 1) where r[l] > bestScore {
                        bestScore = r[l]
                        bestList = l
                    }
                    assignment[start + i] = Int32(bestList)
                    best[start + i] = bestScore
                }
            }
            start += m
        }
    }

    /// Approximate best `k` rows by cosine similarity: int8 scores over the `probes` nearest lists and all
    /// unassigned rows, then the best `candidates` re-ranked exactly. When ``isStale``, the base index answers.
    /// O(lists · dimension + (probed rows + unassigned) · dimension) bytes read per query.
    /// - Parameters:
    ///   - probes: lists scanned (default ``defaultProbes``).
    ///   - candidates: rows re-ranked exactly (default `max(10·k, 100)`).
    public func search(_ query: [Float], k: Int, probes: Int? = nil, candidates: Int? = nil) throws -> [SearchHit] {
        if isStale { return try base.search(query, k: k) }
        let q = try base.normalizedQuery(query)
        if base.count == 0 || k <= 0 { return [] }
        let d = base.dimension
        let probed = min(lists, max(1, probes ?? defaultProbes))
        // Nearest centroids: one dot product each on this thread (a threaded sgemv this small mostly waits for
        // its helper threads, which on a busy machine costs whole scheduler time slices).
        var centroidScores = [Float](repeating: 0, count: lists)
        centroidScores.withUnsafeMutableBufferPointer { s in
            centroids.withUnsafeBufferPointer { cp in
                q.withUnsafeBufferPointer { qp in
                    for l in 0..<lists { s[l] = BLAS.dot(count: d, cp.baseAddress! + l * d, qp.baseAddress) }
                }
            }
        }
        var nearestLists = TopK(k: probed)
        centroidScores.withUnsafeBufferPointer { nearestLists.offer(scores: $0, firstRow: 0) }
        let scanned = nearestLists.sorted().map(\.row) + [lists]
        // Int8 scores of the probed lists (positions in list order), on all cores when there are enough rows.
        let wanted = max(candidates ?? max(10 * k, 100), k)
        let ranges = scanned.map { offsets[$0]..<offsets[$0 + 1] }
        let shortlist = codes.best(forCode: CompactCodes.queryCode(q), in: ranges, count: wanted)
        // Exact re-rank in Float32.
        var top = TopK(k: k)
        q.withUnsafeBufferPointer { qp in
            for hit in shortlist.sorted() {
                let row = Int(rowOfPosition[hit.row])
                top.offer(row: row, score: BLAS.dot(count: d, qp.baseAddress, base.rows + row * d))
            }
        }
        return top.sorted()
    }
}
