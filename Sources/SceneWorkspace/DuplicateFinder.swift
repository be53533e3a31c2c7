import Dispatch
import Foundation
import Retrieval

/// Near-duplicate pairs among vectors and their grouping by union-find.
///
/// Each row is searched for its ``neighbours`` nearest rows — exactly (blocked `sgemm`) up to
/// ``exactLimit`` rows, through IVF lists (``IVFIndex``, stored or built here) beyond — and every neighbour at
/// cosine similarity ≥ the threshold makes a pair. Groups are the connected components of those pairs, so a
/// group larger than ``neighbours`` still comes together through chains of close pairs.
public enum DuplicateFinder {
    /// Default cosine similarity for a near duplicate: 0.97. With the bundled model on the demo, a resized and
    /// recompressed copy of a picture scores 0.9998 against it while the closest two distinct scenes score 0.944
    /// (generated scenes of one kind look alike; real photographs sit lower), so 0.97 leaves a margin both ways.
    public static let defaultThreshold: Float = 0.97
    /// Neighbours looked at per row.
    public static let neighbours = 16
    /// Collections up to this many rows are searched exactly.
    public static let exactLimit = 20_000

    /// A pair of rows (`first < second`) and their cosine similarity.
    public struct Pair: Sendable, Equatable {
        public var first: Int
        public var second: Int
        public var similarity: Float
    }

    /// Pairs of rows at similarity ≥ `threshold` among each row's ``neighbours`` nearest.
    /// - Parameters:
    ///   - lists: an IVF index over `base` to search through (built when `nil` and `base.count > exactLimit`);
    ///     ignored for small collections, which are searched exactly.
    ///   - probes: IVF lists scanned per row (default: the index's default).
    ///   - progress: rows done so far, from any thread.
    public static func pairs(
        base: VectorIndex, lists: IVFIndex? = nil, threshold: Float, neighbours: Int = neighbours, probes: Int? = nil,
        progress: (@Sendable (Int) -> Void)? = nil
    ) throws -> [Pair] {
        let n = base.count
        guard n > 1 else { return [] }
        let k = min(n, neighbours + 1)
        let ivf: IVFIndex? = n > exactLimit ? try (lists ?? IVFIndex.build(over: base)) : nil
        let chunk = 256
        let chunks = (n + chunk - 1) / chunk
        let results = ResultSlots<[Pair]>(count: chunks)
        let done = Counter()
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let rows = (c * chunk)..<min(n, (c + 1) * chunk)
            do {
                let hits: [[SearchHit]]
                if let ivf {
                    hits = try rows.map { try ivf.search(base.vector(at: $0), k: k, probes: probes) }
                } else {
                    hits = try base.exactSearch(queries: rows.map { base.vector(at: $0) }, k: k)
                }
                var found: [Pair] = []
                for (row, list) in zip(rows, hits) {
                    for hit in list where hit.row != row && hit.score >= threshold {
                        found.append(Pair(first: min(row, hit.row), second: max(row, hit.row), similarity: hit.score))
                    }
                }
                results.set(c, .success(found))
            } catch {
                results.set(c, .failure(error))
            }
            progress?(done.add(rows.count))
        }
        var seen = Set<Int64>()
        var pairs: [Pair] = []
        for c in 0..<chunks {
            for pair in try results.get(c) where seen.insert(Int64(pair.first) * Int64(n) + Int64(pair.second)).inserted {
                pairs.append(pair)
            }
        }
        return pairs.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
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

/// One result per index, filled from concurrent work.
final class ResultSlots<T>: @unchecked Sendable {
    // @unchecked Sendable: safe because `lock` guards `slots`.
    private let lock = NSLock()
    private var slots: [Result<T, Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<T, Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func get(_ index: Int) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let result = slots[index] else { preconditionFailure("slot \(index) never filled") }
        return try result.get()
    }
}

/// A thread-safe running total.
final class Counter: @unchecked Sendable {
    // @unchecked Sendable: safe because `lock` guards `value`.
    private let lock = NSLock()
    private var value = 0

    func add(_ amount: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += amount
        return value
    }
}
