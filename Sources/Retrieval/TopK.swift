/// Keeps the best `k` hits seen so far: a binary heap whose root is the worst kept hit.
/// O(n log k) over n offers; O(1) for a score below the current threshold.
public struct TopK: Sendable {
    /// How many hits are kept.
    public let k: Int
    private var heap: [SearchHit] = []

    public init(k: Int) {
        precondition(k >= 0, "k must not be negative")
        self.k = k
        heap.reserveCapacity(k)
    }

    /// Score a new hit must reach to be considered; -infinity until `k` hits are kept.
    public var threshold: Float { heap.count == k && k > 0 ? heap[0].score : -.infinity }

    /// Offers one hit (NaN scores are ignored).
    public mutating func offer(row: Int, score: Float) {
        if k == 0 || score.isNaN { return }
        let hit = SearchHit(row: row, score: score)
        if heap.count < k {
            heap.append(hit)
            siftUp(heap.count - 1)
        } else if SearchHit.ranksBefore(hit, heap[0]) {
            heap[0] = hit
            siftDown(0)
        }
    }

    /// Offers all of `scores`, whose element `i` belongs to row `firstRow + i`.
    public mutating func offer(scores: UnsafeBufferPointer<Float>, firstRow: Int) {
        var t = threshold
        for i in 0..<scores.count where scores[i] >= t {
            offer(row: firstRow + i, score: scores[i])
            t = threshold
        }
    }

    /// Adds everything another selection kept.
    public mutating func merge(_ other: TopK) {
        for h in other.heap { offer(row: h.row, score: h.score) }
    }

    /// The kept hits, best first.
    public func sorted() -> [SearchHit] { heap.sorted(by: SearchHit.ranksBefore) }

    private mutating func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard SearchHit.ranksBefore(heap[parent], heap[i]) else { return }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        while true {
            let l = 2 * i + 1, r = l + 1
            var worst = i
            if l < heap.count && SearchHit.ranksBefore(heap[worst], heap[l]) { worst = l }
            if r < heap.count && SearchHit.ranksBefore(heap[worst], heap[r]) { worst = r }
            if worst == i { return }
            heap.swapAt(i, worst)
            i = worst
        }
    }
}
