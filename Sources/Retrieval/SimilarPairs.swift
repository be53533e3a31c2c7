import Foundation
import Numerics

/// Pairs of rows of a ``VectorIndex`` whose cosine similarity reaches a threshold: near duplicates.
///
/// Small collections compare all pairs (``NeighbourGraph``'s exact search). Large ones go through IVF lists
/// probed per row: every row is a member of the list of its nearest centroid, and is compared with the members of
/// the `probes` lists whose centroids are nearest to *it* — one `cblas_sgemm` per list, over the rows that probe
/// that list. A pair is found when either row probes the other's list, so a row on the border of two lists still
/// meets its copy across the border. O(count · probes · count/lists · dimension).
public enum SimilarPairs {
    /// Rows `first < second` and their cosine similarity.
    public struct Pair: Sendable, Equatable {
        public var first: Int
        public var second: Int
        public var similarity: Float

        public init(first: Int, second: Int, similarity: Float) {
            self.first = first
            self.second = second
            self.similarity = similarity
        }
    }

    /// Up to this many rows are searched exactly.
    public static let exactLimit = 20_000
    /// Lists probed per row by default: a near duplicate sits next to its original, so its list is among the
    /// nearest few of the original's (the planted copies of `bench duplicates` are all found at 100k and 1M).
    public static let defaultProbes = 8

    /// Pairs at similarity ≥ `threshold`, at most `perRow` of them (the most similar) for each row and probed list,
    /// sorted by `(first, second)`.
    /// - Parameters:
    ///   - centroids: `[lists, dimension]` IVF centroids to reuse (the cache's layout); trained when `nil`.
    ///   - exact: force (or forbid) the all-pairs search; default when `count <= exactLimit`.
    public static func search(
        _ index: VectorIndex, threshold: Float, perRow: Int = 16, centroids: [Float]? = nil,
        probes: Int = defaultProbes, exact: Bool? = nil, seed: UInt64 = 1
    ) -> [Pair] {
        precondition(perRow > 0 && probes > 0, "perRow and probes must be positive")
        let n = index.count, d = index.dimension
        guard n > 1 else { return [] }
        if exact ?? (n <= exactLimit) {
            let graph = NeighbourGraph.build(index, k: min(n - 1, perRow), exact: true)
            var pairs: [Pair] = []
            for row in 0..<n {
                for j in 0..<graph.k {
                    let other = Int(graph.neighbours[row * graph.k + j])
                    let score = graph.similarities[row * graph.k + j]
                    guard other >= 0, other != row, score >= threshold else { continue }
                    pairs.append(Pair(first: min(row, other), second: max(row, other), similarity: score))
                }
            }
            return unique(pairs)
        }
        let c: [Float]
        if let centroids, !centroids.isEmpty, centroids.count % d == 0 {
            c = centroids
        } else {
            c = IVFIndex.trainCentroids(base: index, seed: seed)
        }
        let lists = c.count / d
        let p = min(lists, probes)
        let probed = nearestLists(index, centroids: c, lists: lists, probes: p)
        // members[l]: rows whose nearest list is l; queries[l]: rows that probe l.
        var membersOf = [[Int]](repeating: [], count: lists)
        var queriesOf = [[Int]](repeating: [], count: lists)
        for row in 0..<n {
            membersOf[Int(probed[row * p])].append(row)
            for j in 0..<p { queriesOf[Int(probed[row * p + j])].append(row) }
        }
        let (members, queries) = (membersOf, queriesOf)
        // Safe to share: the index outlives the search and its rows are read-only.
        nonisolated(unsafe) let rows = index.rows
        let next = AtomicCounter()
        let found = PairCollector()
        let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lists))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var candidateBlock: [Float] = []
            var queryBlock: [Float] = []
            var scores: [Float] = []
            var mine: [Pair] = []
            while true {
                let l = next.increment()
                guard l < lists else { break }
                let candidates = members[l], askers = queries[l]
                guard !candidates.isEmpty, !askers.isEmpty else { continue }
                if candidateBlock.count < candidates.count * d { candidateBlock = [Float](repeating: 0, count: candidates.count * d) }
                candidateBlock.withUnsafeMutableBufferPointer { cb in
                    for (i, row) in candidates.enumerated() { (cb.baseAddress! + i * d).update(from: rows + row * d, count: d) }
                }
                let blockRows = max(1, min(askers.count, (1 << 21) / candidates.count))
                var start = 0
                while start < askers.count {
                    let m = min(blockRows, askers.count - start)
                    if queryBlock.count < m * d { queryBlock = [Float](repeating: 0, count: m * d) }
                    if scores.count < m * candidates.count { scores = [Float](repeating: 0, count: m * candidates.count) }
                    queryBlock.withUnsafeMutableBufferPointer { qb in
                        for i in 0..<m { (qb.baseAddress! + i * d).update(from: rows + askers[start + i] * d, count: d) }
                        candidateBlock.withUnsafeBufferPointer { cb in
                            scores.withUnsafeMutableBufferPointer { sb in
                                BLAS.gemm(transposeA: false, transposeB: true, m: m, n: candidates.count, k: d, alpha: 1,
                                    a: qb.baseAddress, lda: d, b: cb.baseAddress, ldb: d, beta: 0, c: sb.baseAddress,
                                    ldc: candidates.count)
                            }
                        }
                    }
                    scores.withUnsafeBufferPointer { sb in
                        for i in 0..<m {
                            let row = askers[start + i]
                            let line = UnsafeBufferPointer(rebasing: sb[(i * candidates.count)..<((i + 1) * candidates.count)])
                            var top = TopK(k: perRow)
                            for (j, score) in line.enumerated() where score >= threshold && candidates[j] != row {
                                top.offer(row: candidates[j], score: score)
                            }
                            for hit in top.sorted() {
                                mine.append(Pair(first: min(row, hit.row), second: max(row, hit.row), similarity: hit.score))
                            }
                        }
                    }
                    start += m
                }
            }
            found.add(mine)
        }
        return unique(found.pairs)
    }

    /// The `probes` nearest lists of every row, nearest first (`[count, probes]`; ties to the lower list).
    static func nearestLists(_ index: VectorIndex, centroids: [Float], lists: Int, probes: Int) -> [Int32] {
        let n = index.count, d = index.dimension
        var out = [Int32](repeating: 0, count: n * probes)
        let block = max(1, min(n, (1 << 20) / max(lists, 1)))
        let blocks = (n + block - 1) / block
        nonisolated(unsafe) let rows = index.rows
        out.withUnsafeMutableBufferPointer { op in
            nonisolated(unsafe) let op = op
            centroids.withUnsafeBufferPointer { cp in
                nonisolated(unsafe) let cp = cp
                DispatchQueue.concurrentPerform(iterations: blocks) { b in
                    let start = b * block, m = min(block, n - start)
                    var scores = [Float](repeating: 0, count: m * lists)
                    scores.withUnsafeMutableBufferPointer { sp in
                        BLAS.gemm(transposeA: false, transposeB: true, m: m, n: lists, k: d, alpha: 1,
                            a: rows + start * d, lda: d, b: cp.baseAddress, ldb: d, beta: 0, c: sp.baseAddress, ldc: lists)
                        for i in 0..<m {
                            var top = TopK(k: probes)
                            top.offer(scores: UnsafeBufferPointer(rebasing: sp[(i * lists)..<((i + 1) * lists)]), firstRow: 0)
                            for (j, hit) in top.sorted().enumerated() { op[(start + i) * probes + j] = Int32(hit.row) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// One entry per pair (the first found), sorted by `(first, second)`.
    static func unique(_ pairs: [Pair]) -> [Pair] {
        let sorted = pairs.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
        var out: [Pair] = []
        out.reserveCapacity(sorted.count)
        for pair in sorted where out.last.map({ $0.first != pair.first || $0.second != pair.second }) ?? true {
            out.append(pair)
        }
        return out
    }
}

/// Pairs gathered from worker threads.
private final class PairCollector: @unchecked Sendable {
    // @unchecked Sendable: `lock` guards `pairs`.
    private let lock = NSLock()
    private(set) var pairs: [Pair] = []
    typealias Pair = SimilarPairs.Pair

    func add(_ more: [Pair]) {
        lock.lock()
        defer { lock.unlock() }
        pairs += more
    }
}
