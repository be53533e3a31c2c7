import Foundation
import Numerics

/// Principal components of the rows of a ``VectorIndex``: the covariance `XᵀX/n − μμᵀ` accumulated by
/// `cblas_ssyrk` over blocks of rows (no centred copy), its leading eigenvectors by subspace iteration.
/// Used to start ``NeighbourMap`` layouts and as the baseline a neighbour-preserving map is compared with.
public enum PrincipalComponents {
    /// `[count, components]` coordinates of every row on the leading `components` principal axes.
    /// O(count · dimension² + iterations · dimension² · components).
    public static func project(_ index: VectorIndex, components: Int = 2, iterations: Int = 100) -> [Float] {
        let n = index.count, d = index.dimension
        guard n > 0 else { return [] }
        let axes = self.axes(index, components: components, iterations: iterations)
        var out = [Float](repeating: 0, count: n * components)
        axes.withUnsafeBufferPointer { ap in
            out.withUnsafeMutableBufferPointer { op in
                // Projections of the uncentred rows; the centre only shifts every coordinate equally.
                BLAS.gemm(transposeA: false, transposeB: true, m: n, n: components, k: d, alpha: 1,
                    a: index.rows, lda: d, b: ap.baseAddress, ldb: d, beta: 0, c: op.baseAddress, ldc: components)
            }
        }
        return out
    }

    /// `[components, dimension]` orthonormal leading eigenvectors of the rows' covariance.
    public static func axes(_ index: VectorIndex, components: Int, iterations: Int = 100) -> [Float] {
        let n = index.count, d = index.dimension
        var covariance = [Float](repeating: 0, count: d * d)
        var mean = [Float](repeating: 0, count: d)
        let block = 8192
        covariance.withUnsafeMutableBufferPointer { cp in
            var start = 0
            while start < n {
                let m = min(block, n - start)
                BLAS.syrkUpperTransposed(n: d, k: m, alpha: 1 / Float(n),
                    a: index.rows + start * d, lda: d, beta: 1, c: cp.baseAddress, ldc: d)
                start += m
            }
        }
        for i in 0..<n { for j in 0..<d { mean[j] += index.rows[i * d + j] } }
        for j in 0..<d { mean[j] /= Float(n) }
        for r in 0..<d {
            for c in r..<d {
                let v = covariance[r * d + c] - mean[r] * mean[c]
                covariance[r * d + c] = v
                covariance[c * d + r] = v
            }
        }
        // Subspace iteration from a fixed start, Gram–Schmidt after each product.
        var rng = SplitMix64(seed: 11)
        var q = (0..<(components * d)).map { _ in rng.nextGaussian() }
        var next = [Float](repeating: 0, count: components * d)
        for _ in 0..<max(1, iterations) {
            covariance.withUnsafeBufferPointer { cp in
                q.withUnsafeBufferPointer { qp in
                    next.withUnsafeMutableBufferPointer { np in
                        BLAS.gemm(transposeA: false, transposeB: false, m: components, n: d, k: d, alpha: 1,
                            a: qp.baseAddress, lda: d, b: cp.baseAddress, ldb: d, beta: 0, c: np.baseAddress, ldc: d)
                    }
                }
            }
            orthonormalize(&next, rows: components, width: d)
            swap(&q, &next)
        }
        return q
    }

    static func orthonormalize(_ m: inout [Float], rows: Int, width: Int) {
        for r in 0..<rows {
            for p in 0..<r {
                var dot: Float = 0
                for j in 0..<width { dot += m[r * width + j] * m[p * width + j] }
                for j in 0..<width { m[r * width + j] -= dot * m[p * width + j] }
            }
            var norm: Float = 0
            for j in 0..<width { norm += m[r * width + j] * m[r * width + j] }
            norm = norm.squareRoot()
            if norm > 0 { for j in 0..<width { m[r * width + j] /= norm } }
        }
    }
}

/// How well a 2-D map keeps each row's neighbours.
public enum MapQuality {
    /// The fraction of each row's `k` nearest rows in the original space (cosine) that are also among its `k`
    /// nearest in the map (Euclidean), averaged over `sample` rows drawn with `seed` (every row when
    /// `sample >= count`). O(sample · count · (dimension + log k)).
    public static func neighbourPreservation(
        _ index: VectorIndex, coordinates: [Float], k: Int = 10, sample: Int = 1000, seed: UInt64 = 5
    ) -> Double {
        let n = index.count, d = index.dimension
        precondition(coordinates.count == 2 * n, "two coordinates per row")
        guard n > k else { return 1 }
        let rows: [Int]
        if sample >= n {
            rows = Array(0..<n)
        } else {
            var rng = SplitMix64(seed: seed)
            rows = (0..<sample).map { _ in Int(rng.next() % UInt64(n)) }
        }
        var scores = [Float](repeating: 0, count: n)
        var kept = 0
        for row in rows {
            scores.withUnsafeMutableBufferPointer { sp in
                BLAS.gemv(m: n, n: d, alpha: 1,
                    a: index.rows, lda: d, x: index.rows + row * d, beta: 0, y: sp.baseAddress)
                sp[row] = -.infinity
            }
            var high = TopK(k: k)
            scores.withUnsafeBufferPointer { high.offer(scores: $0, firstRow: 0) }
            let x = coordinates[2 * row], y = coordinates[2 * row + 1]
            for i in 0..<n {
                let dx = coordinates[2 * i] - x, dy = coordinates[2 * i + 1] - y
                scores[i] = -(dx * dx + dy * dy)
            }
            scores[row] = -.infinity
            var low = TopK(k: k)
            scores.withUnsafeBufferPointer { low.offer(scores: $0, firstRow: 0) }
            let lowRows = Set(low.sorted().map(\.row))
            kept += high.sorted().filter { lowRows.contains($0.row) }.count
        }
        return Double(kept) / Double(rows.count * k)
    }

    /// The fraction of each row's `k` nearest rows in the map that carry the row's own label (1 when clusters
    /// stay apart), over every row. O(count² ) — for tests and benchmarks on samples.
    public static func labelAgreement(coordinates: [Float], labels: [Int], k: Int = 10) -> Double {
        let n = labels.count
        guard n > k else { return 1 }
        var agree = 0
        var scores = [Float](repeating: 0, count: n)
        for row in 0..<n {
            let x = coordinates[2 * row], y = coordinates[2 * row + 1]
            for i in 0..<n {
                let dx = coordinates[2 * i] - x, dy = coordinates[2 * i + 1] - y
                scores[i] = -(dx * dx + dy * dy)
            }
            scores[row] = -.infinity
            var low = TopK(k: k)
            scores.withUnsafeBufferPointer { low.offer(scores: $0, firstRow: 0) }
            agree += low.sorted().filter { labels[$0.row] == labels[row] }.count
        }
        return Double(agree) / Double(n * k)
    }
}
