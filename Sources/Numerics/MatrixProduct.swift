extension Tensor {
    /// Matrix product of the tensor read as `[rows, k]` with `other` (`[k, n]`, or `[n, k]` when `transposeOther`).
    ///
    /// Result `[..., n]` keeps `self`'s leading dimensions. One `cblas_sgemm`, `2·rows·k·n` flops.
    public func matmul(_ other: Tensor, transposeOther: Bool = false) -> Tensor {
        precondition(other.rank == 2, "matmul: right operand must be a matrix, got \(other.shape)")
        let k = rowWidth
        let rows = rowCount
        let n = transposeOther ? other.shape[0] : other.shape[1]
        let otherK = transposeOther ? other.shape[1] : other.shape[0]
        precondition(otherK == k, "matmul: \(shape) and \(other.shape)\(transposeOther ? "ᵀ" : "") do not chain")
        var outShape = shape
        if outShape.isEmpty { outShape = [1] }
        outShape[outShape.count - 1] = n
        return Tensor(shape: outShape) { c in
            withUnsafeBufferPointer { a in
                other.withUnsafeBufferPointer { b in
                    BLAS.gemm(
                        transposeB: transposeOther, m: rows, n: n, k: k,
                        a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: transposeOther ? k : n,
                        c: c.baseAddress!, ldc: n)
                }
            }
        }
    }
}
