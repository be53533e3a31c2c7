import Foundation
import Numerics

/// The `k` nearest rows (by cosine similarity) of every row of a ``VectorIndex``, itself left out: the graph a
/// neighbour-preserving map is laid out from.
///
/// Small collections are searched exactly (blocked `cblas_sgemm` over all pairs). Large ones go through IVF
/// lists (spherical k-means centroids, as ``IVFIndex`` trains and the cache stores them): the rows of each
/// list are compared, one `cblas_sgemm` per block, with the rows of the `probes` lists whose centroids are
/// nearest that list's centroid. O(count · probes · count/lists · dimension) instead of O(count² · dimension).
public struct NeighbourGraph: Sendable {
    /// Neighbours kept per row.
    public let k: Int
    /// Rows.
    public let count: Int
    /// `[count, k]` neighbour rows, nearest first (`-1` pads rows with fewer than `k` others).
    public var neighbours: [Int32]
    /// `[count, k]` cosine similarities, parallel to ``neighbours``.
    public var similarities: [Float]

    /// Up to this many rows are searched exactly.
    public static let exactLimit = 12_000

    public init(k: Int, count: Int, neighbours: [Int32], similarities: [Float]) {
        precondition(neighbours.count == count * k && similarities.count == count * k, "one k-row per row")
        self.k = k
        self.count = count
        self.neighbours = neighbours
        self.similarities = similarities
    }

    /// Builds the graph of `index`.
    /// - Parameters:
    ///   - centroids, assignments: a stored IVF layout (`[lists, dimension]`, one list per row, `-1` for rows
    ///     added since; those are assigned here to their nearest centroid). Without one, lists are trained.
    ///   - probes: lists compared with each list (default `max(8, lists / 24)`).
    ///   - exact: force (or forbid) the all-pairs search; default when `count <= exactLimit`.
    public static func build(
        _ index: VectorIndex, k: Int, centroids: [Float]? = nil, assignments: [Int32]? = nil,
        probes: Int? = nil, exact: Bool? = nil, seed: UInt64 = 1
    ) -> NeighbourGraph {
        precondition(k > 0, "k must be positive")
        let n = index.count
        guard n > 1 else {
            return NeighbourGraph(k: k, count: n, neighbours: [Int32](repeating: -1, count: n * k),
                                  similarities: [Float](repeating: 0, count: n * k))
        }
        if exact ?? (n <= exactLimit) {
            return search(index, k: k, groups: [Array(0..<n)], candidatesOf: { _ in [0] })
        }
        let c: [Float]
        var a: [Int32]
        if let centroids, let assignments, assignments.count == n, !centroids.isEmpty, centroids.count % index.dimension == 0 {
            c = centroids
            a = assignments
            if a.contains(where: { $0 < 0 || Int($0) >= centroids.count / index.dimension }) {
                let nearest = IVFIndex.assign(base: index, centroids: c)
                for i in 0..<n where a[i] < 0 || Int(a[i]) >= centroids.count / index.dimension { a[i] = nearest[i] }
            }
        } else {
            c = IVFIndex.trainCentroids(base: index, seed: seed)
            a = IVFIndex.assign(base: index, centroids: c)
        }
        let d = index.dimension
        let lists = c.count / d
        var groups = [[Int]](repeating: [], count: lists)
        for (row, list) in a.enumerated() { groups[Int(list)].append(row) }
        // Lists nearest each list (by centroid similarity, the list itself first).
        let p = min(lists, max(1, probes ?? max(8, lists / 24)))
        var table = [Float](repeating: 0, count: lists * lists)
        c.withUnsafeBufferPointer { cp in
            table.withUnsafeMutableBufferPointer { tp in
                BLAS.gemm(transposeA: false, transposeB: true, m: lists, n: lists, k: d, alpha: 1,
                    a: cp.baseAddress, lda: d, b: cp.baseAddress, ldb: d, beta: 0, c: tp.baseAddress, ldc: lists)
            }
        }
        let nearestLists: [[Int]] = (0..<lists).map { l in
            var top = TopK(k: p)
            table.withUnsafeBufferPointer { top.offer(scores: UnsafeBufferPointer(rebasing: $0[(l * lists)..<((l + 1) * lists)]), firstRow: 0) }
            var order = top.sorted().map(\.row)
            if let self_ = order.firstIndex(of: l) { order.remove(at: self_) }
            return [l] + order.prefix(p - 1)
        }
        return search(index, k: k, groups: groups, candidatesOf: { nearestLists[$0] })
    }

    /// For each group, compares its rows with the rows of the groups `candidatesOf(group)` names.
    private static func search(_ index: VectorIndex, k: Int, groups: [[Int]], candidatesOf: @Sendable (Int) -> [Int]) -> NeighbourGraph {
        let n = index.count, d = index.dimension
        let neighbours = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n * k)
        let similarities = UnsafeMutableBufferPointer<Float>.allocate(capacity: n * k)
        neighbours.initialize(repeating: -1)
        similarities.initialize(repeating: 0)
        defer {
            neighbours.deallocate()
            similarities.deallocate()
        }
        // Safe to share: the index outlives the search and its rows are read-only.
        nonisolated(unsafe) let rows = index.rows
        nonisolated(unsafe) let out = (neighbours, similarities)
        // Groups are shared between worker threads; each thread keeps its own scratch buffers.
        let next = AtomicCounter()
        let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, groups.count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var queryBlock: [Float] = []
            var candidateBlock: [Float] = []
            var scores: [Float] = []
            while true {
                let g = next.increment()
                guard g < groups.count else { break }
                let members = groups[g]
                guard !members.isEmpty else { continue }
                let candidates = candidatesOf(g).flatMap { groups[$0] }
                guard !candidates.isEmpty else { continue }
                let blockRows = max(1, min(members.count, (1 << 21) / max(candidates.count, 1)))
                candidateBlock = [Float](repeating: 0, count: candidates.count * d)
                candidateBlock.withUnsafeMutableBufferPointer { cb in
                    for (i, row) in candidates.enumerated() { (cb.baseAddress! + i * d).update(from: rows + row * d, count: d) }
                }
                var start = 0
                while start < members.count {
                    let m = min(blockRows, members.count - start)
                    if queryBlock.count < m * d { queryBlock = [Float](repeating: 0, count: m * d) }
                    if scores.count < m * candidates.count { scores = [Float](repeating: 0, count: m * candidates.count) }
                    queryBlock.withUnsafeMutableBufferPointer { qb in
                        for i in 0..<m { (qb.baseAddress! + i * d).update(from: rows + members[start + i] * d, count: d) }
                        candidateBlock.withUnsafeBufferPointer { cb in
                            scores.withUnsafeMutableBufferPointer { sb in
                                BLAS.gemm(transposeA: false, transposeB: true, m: m, n: candidates.count, k: d, alpha: 1,
                                    a: qb.baseAddress, lda: d, b: cb.baseAddress, ldb: d, beta: 0, c: sb.baseAddress, ldc: candidates.count)
                            }
                        }
                    }
                    scores.withUnsafeBufferPointer { sb in
                        for i in 0..<m {
                            let row = members[start + i]
                            var top = TopK(k: k + 1)
                            top.offer(scores: UnsafeBufferPointer(rebasing: sb[(i * candidates.count)..<((i + 1) * candidates.count)]), firstRow: 0)
                            var slot = 0
                            for hit in top.sorted() where slot < k {
                                let other = candidates[hit.row]
                                if other == row { continue }
                                out.0[row * k + slot] = Int32(other)
                                out.1[row * k + slot] = hit.score
                                slot += 1
                            }
                        }
                    }
                    start += m
                }
            }
        }
        return NeighbourGraph(k: k, count: n, neighbours: Array(neighbours), similarities: Array(similarities))
    }

    /// Fraction of the exact `k` nearest rows found, averaged over `sample` rows (a recall figure for the
    /// IVF search). O(sample · count · dimension).
    public func recall(against index: VectorIndex, sample: Int = 500, seed: UInt64 = 3) throws -> Double {
        var rng = SplitMix64(seed: seed)
        var found = 0, total = 0
        for _ in 0..<min(sample, count) {
            let row = Int(rng.next() % UInt64(count))
            let exact = try index.exactSearch(index.vector(at: row), k: k + 1).map(\.row).filter { $0 != row }.prefix(k)
            let mine = Set(neighbours[(row * k)..<((row + 1) * k)].map(Int.init))
            found += exact.filter(mine.contains).count
            total += exact.count
        }
        return total > 0 ? Double(found) / Double(total) : 1
    }
}

/// A counter shared by worker threads (a lock; increments are rare next to the work between them).
final class AtomicCounter: @unchecked Sendable {
    // @unchecked Sendable: safe because `lock` guards `value`.
    private let lock = NSLock()
    private var value = 0

    /// Returns the value before adding one.
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
