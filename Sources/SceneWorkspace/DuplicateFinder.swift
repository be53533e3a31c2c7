import Foundation
import Retrieval

/// Near-duplicate pairs among vectors and their grouping by union-find.
///
/// Pairs come from ``Retrieval/SimilarPairs``: all pairs exactly up to ``exactLimit`` rows, and beyond that
/// through IVF lists probed per row (the stored layout's centroids when given, else trained) — every pair at cosine
/// similarity ≥ the threshold, up to ``neighbours`` per row and list. Groups are the connected components of those
/// pairs, so a group larger than ``neighbours`` still comes together through chains of close pairs.
public enum DuplicateFinder {
    /// Default cosine similarity for a near duplicate: 0.97. With the bundled model on the demo, a resized and
    /// recompressed copy of a picture scores 0.9998 against it while the closest two distinct scenes score 0.944
    /// (generated scenes of one kind look alike; real photographs sit lower), so 0.97 leaves a margin both ways.
    public static let defaultThreshold: Float = 0.97
    /// Pairs kept per row and probed list.
    public static let neighbours = 16
    /// Collections up to this many rows are searched exactly.
    public static let exactLimit = SimilarPairs.exactLimit

    /// A pair of rows (`first < second`) and their cosine similarity.
    public typealias Pair = SimilarPairs.Pair

    /// Pairs of rows at similarity ≥ `threshold`, sorted by `(first, second)`.
    /// - Parameters:
    ///   - lists: an IVF index over `base` whose centroids the search reuses (trained when `nil` and
    ///     `base.count > exactLimit`); ignored for small collections, which are searched exactly.
    ///   - probes: lists each row is compared with (default ``Retrieval/SimilarPairs/defaultProbes``).
    ///   - progress: rows done so far (called once the search is complete).
    public static func pairs(
        base: VectorIndex, lists: IVFIndex? = nil, threshold: Float, neighbours: Int = neighbours, probes: Int? = nil,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> [Pair] {
        let n = base.count
        guard n > 1 else { return [] }
        let centroids = n > exactLimit ? lists.map(\.layout.centroids) : nil
        let pairs = SimilarPairs.search(base, threshold: threshold, perRow: neighbours, centroids: centroids,
                                        probes: probes ?? SimilarPairs.defaultProbes, exact: n <= exactLimit)
        progress?(n)
        return pairs
    }

    /// Connected components of `pairs` over `count` elements, each with two or more members (sorted), and the
    /// lowest similarity of the pairs that joined it; components sorted by their first member.
    public static func groups(count: Int, pairs: [Pair]) -> [(members: [Int], similarity: Float)] {
        var sets = UnionFind(count: count)
        for pair in pairs { sets.union(pair.first, pair.second) }
        var lowest: [Int: Float] = [:]
        for pair in pairs {
            let root = sets.find(pair.first)
            lowest[root] = min(lowest[root] ?? 1, pair.similarity)
        }
        return sets.components().map { ($0, lowest[sets.find($0[0])] ?? 1) }
    }
}

/// Disjoint sets over `0..<count` (union by size, path halving).
public struct UnionFind: Sendable {
    private var parent: [Int]
    private var size: [Int]

    public init(count: Int) {
        parent = Array(0..<count)
        size = [Int](repeating: 1, count: count)
    }

    /// The representative of `x`'s set.
    public mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }

    /// Joins the sets of `a` and `b`.
    public mutating func union(_ a: Int, _ b: Int) {
        var ra = find(a), rb = find(b)
        if ra == rb { return }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = ra
        size[ra] += size[rb]
    }

    /// Sets of two or more members, members ascending, sets ordered by their smallest member.
    public mutating func components() -> [[Int]] {
        var byRoot: [Int: [Int]] = [:]
        for x in parent.indices where size[find(x)] > 1 { byRoot[find(x), default: []].append(x) }
        return byRoot.values.sorted { $0[0] < $1[0] }
    }
}
