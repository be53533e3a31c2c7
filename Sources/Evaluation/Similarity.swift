import Numerics

/// Matrix helpers for evaluation: row normalisation and cosine-similarity tables.
public enum Similarity {
    /// Rows of `matrix` scaled to unit L2 norm (zero rows stay zero). `matrix`: `[n, d]`.
    public static func l2NormalizedRows(_ matrix: Tensor) -> Tensor {
        precondition(matrix.rank == 2, "expected [n, d], got \(matrix.shape)")
        return matrix.l2NormalizedRows()
    }

    /// `a · bᵀ` for `a: [n, d]`, `b: [m, d]`, returning `[n, m]` (one sgemm). Complexity O(n·m·d).
    public static func table(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[1],
                     "incompatible shapes \(a.shape) and \(b.shape)")
        guard a.shape[0] > 0, b.shape[0] > 0 else { return Tensor(zeros: [a.shape[0], b.shape[0]]) }
        return a.matmul(b, transposeOther: true)
    }

    /// Cosine similarity table between the rows of `a` and `b`: `[n, m]`.
    public static func cosineTable(_ a: Tensor, _ b: Tensor) -> Tensor {
        table(l2NormalizedRows(a), l2NormalizedRows(b))
    }

    /// Indices of the `k` largest values of `row`, best first; ties broken by the lower index
    /// (as a stable sort would). Complexity O(n·k) for small `k`.
    public static func topIndices(_ row: UnsafeBufferPointer<Float>, k: Int) -> [Int] {
        let k = min(k, row.count)
        guard k > 0 else { return [] }
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for index in 0..<row.count {
            let value = row[index]
            if best.count == k, let last = best.last, !(value > row[last]) { continue }
            var position = best.count
            while position > 0 && value > row[best[position - 1]] { position -= 1 }
            best.insert(index, at: position)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
