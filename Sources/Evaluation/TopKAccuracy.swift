import Numerics

/// Top-k accuracy counts, as the paper's tables report them (top-1/5/10).
public struct TopKAccuracy: Sendable, Equatable, Codable {
    /// The k values counted, ascending.
    public let ks: [Int]
    /// Hits for each k, parallel to ``ks``.
    public private(set) var hits: [Int]
    /// Number of evaluated items.
    public private(set) var total: Int

    public init(ks: [Int] = [1, 5, 10]) {
        precondition(!ks.isEmpty && ks.allSatisfy { $0 > 0 }, "k values must be positive")
        self.ks = ks.sorted()
        self.hits = Array(repeating: 0, count: ks.count)
        self.total = 0
    }

    /// Fraction of hits at `k` (0 when nothing was evaluated).
    public func accuracy(at k: Int) -> Double {
        guard let index = ks.firstIndex(of: k), total > 0 else { return 0 }
        return Double(hits[index]) / Double(total)
    }

    /// Records one item given its class ranking (best first) and the classes that count as correct.
    ///
    /// The reference's rule: a hit at k when any of the top-k predicted classes is among `truth`
    /// (for actions `truth` is the single annotated action; for objects and relations it is every
    /// object name / relation string annotated on the same image).
    public mutating func record(ranking: [Int], truth: Set<Int>) {
        total += 1
        for (slot, k) in ks.enumerated() where ranking.prefix(k).contains(where: truth.contains) {
            hits[slot] += 1
        }
    }

    /// Merges counts from another accumulator with the same `ks`.
    public mutating func merge(_ other: TopKAccuracy) {
        precondition(ks == other.ks, "cannot merge accuracies over different k values")
        total += other.total
        for slot in hits.indices { hits[slot] += other.hits[slot] }
    }

    /// Scores every row of `scores: [n, classes]` (higher is better) against `truths[row]`.
    public static func evaluate(scores: Tensor, truths: [Set<Int>], ks: [Int] = [1, 5, 10]) -> TopKAccuracy {
        precondition(scores.rank == 2 && scores.shape[0] == truths.count,
                     "scores \(scores.shape) do not match \(truths.count) items")
        var result = TopKAccuracy(ks: ks)
        let classes = scores.shape[1]
        let deepest = result.ks.last!
        scores.withUnsafeBufferPointer { buffer in
            for row in 0..<truths.count {
                let slice = UnsafeBufferPointer(rebasing: buffer[(row * classes)..<((row + 1) * classes)])
                result.record(ranking: Similarity.topIndices(slice, k: deepest), truth: truths[row])
            }
        }
        return result
    }
}
