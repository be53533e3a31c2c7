import COpenBLAS

/// The OpenBLAS calls training uses, in row-major form. Only this file imports the C library's GEMM.
enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` with `op(A): [m, k]`, `op(B): [k, n]`, `C: [m, n]`.
    @inline(__always)
    static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Sets the number of OpenBLAS threads (training is deterministic for a fixed count).
    static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}

/// Controls the BLAS thread count used by training.
public enum TrainingThreads {
    /// Sets the number of OpenBLAS threads; results are reproducible for a fixed count.
    public static func set(_ count: Int) { BLAS.setThreads(count) }
}
