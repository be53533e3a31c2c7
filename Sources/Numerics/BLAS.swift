import CNumerics
import COpenBLAS

/// The one place Numerics calls OpenBLAS: thread control and single-precision matrix products.
public enum BLAS {
    /// Threads OpenBLAS uses for one product (`openblas_get_num_threads` / `openblas_set_num_threads`).
    ///
    /// Process-wide. Defaults to OpenBLAS's own choice (`OPENBLAS_NUM_THREADS` or the core count).
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set {
            precondition(newValue >= 1, "thread count must be at least 1")
            openblas_set_num_threads(Int32(newValue))
        }
    }

    /// OpenBLAS's name for the kernels it chose when it loaded (`openblas_get_corename`): "SkylakeX", "Haswell",
    /// "Zen", "Prescott", …
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's kernels older than AVX2 + FMA. A build that does not know a CPU's CPUID model (Debian 12's
    /// OpenBLAS 0.3.21 on recent Xeons, or a VM reporting a generic "Intel Xeon Processor") falls back to one of
    /// these — Prescott's SSE3 kernels — and its products run at half the speed or less.
    static let preAVX2Cores: Set<String> = [
        "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "sandybridge", "katmai", "coppermine",
        "northwood", "banias", "opteron", "barcelona", "bobcat", "bulldozer", "piledriver", "steamroller",
        "excavator", "unknown",
    ]

    /// The `OPENBLAS_CORETYPE` to load OpenBLAS with when the kernels it chose (`chosen`, a ``coreName``) are
    /// older than the CPU allows: SkylakeX's where the CPU has AVX-512 F/BW/VL/DQ/CD, Haswell's where it has AVX2
    /// and FMA; `nil` when the choice already uses AVX2 or the CPU has neither. `cpuFeatures` is a mask of
    /// `CPU_FEATURE_*` bits (``cpuFeatures``).
    public static func betterCoreType(chosen: String, cpuFeatures: Int) -> String? {
        guard preAVX2Cores.contains(chosen.lowercased()) else { return nil }
        if cpuFeatures & Int(CPU_FEATURE_AVX512) != 0 { return "SkylakeX" }
        if cpuFeatures & Int(CPU_FEATURE_AVX2_FMA) != 0 { return "Haswell" }
        return nil
    }

    /// This CPU's `CPU_FEATURE_*` bits (CPUID, read once).
    public static var cpuFeatures: Int { Int(numerics_cpu_features()) }

    /// ``betterCoreType(chosen:cpuFeatures:)`` for this process's OpenBLAS and CPU, unless `OPENBLAS_CORETYPE`
    /// is set already. OpenBLAS reads that variable only when it loads, so a program that gets a value here
    /// sets it and re-executes itself (as `scenarioclip` does first thing).
    public static func coreTypeToLoad(environment: [String: String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil else { return nil }
        return betterCoreType(chosen: coreName, cpuFeatures: cpuFeatures)
    }

    /// `C = alpha · op(A) · op(B) + beta · C` on row-major matrices (`cblas_sgemm`).
    ///
    /// `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`; `lda`, `ldb`, `ldc` are row strides in elements,
    /// so strided views (one head of a `[tokens, width]` matrix) need no copy. Cost `2·m·n·k` flops.
    @inlinable
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>?, lda: Int, b: UnsafePointer<Float>?, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>?, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative gemm dimension m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `y = alpha · A · x + beta · y` for a row-major `[m, n]` matrix `A` (`cblas_sgemv`). Cost `2·m·n` flops.
    @inlinable
    public static func gemv(
        m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>?, lda: Int, x: UnsafePointer<Float>?,
        beta: Float = 0, y: UnsafeMutablePointer<Float>?
    ) {
        precondition(m >= 0 && n >= 0, "negative gemv dimension m=\(m) n=\(n)")
        if m == 0 { return }
        cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(m), blasint(n), alpha, a, blasint(lda), x, 1, beta, y, 1)
    }

    /// `C = alpha · Aᵀ · A + beta · C` for a row-major `[k, n]` matrix `A`, writing the upper triangle of the
    /// `[n, n]` matrix `C` (`cblas_ssyrk`, upper, transposed). Cost `n·n·k` flops.
    @inlinable
    public static func syrkUpperTransposed(
        n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>?, lda: Int, beta: Float,
        c: UnsafeMutablePointer<Float>?, ldc: Int
    ) {
        precondition(n >= 0 && k >= 0, "negative syrk dimension n=\(n) k=\(k)")
        if n == 0 { return }
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, blasint(n), blasint(k), alpha, a, blasint(lda), beta, c, blasint(ldc))
    }

    /// `x · y` over `count` contiguous values (`cblas_sdot`).
    @inlinable
    public static func dot(count: Int, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?) -> Float {
        count > 0 ? cblas_sdot(blasint(count), x, 1, y, 1) : 0
    }

    /// `y += alpha · x` over `count` contiguous values (`cblas_saxpy`).
    @inlinable
    public static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>?) {
        if count > 0 { cblas_saxpy(blasint(count), alpha, x, 1, y, 1) }
    }

    /// The Euclidean norm of `count` contiguous values (`cblas_snrm2`, which guards against overflow).
    @inlinable
    public static func norm(count: Int, _ x: UnsafePointer<Float>?) -> Float {
        count > 0 ? cblas_snrm2(blasint(count), x, 1) : 0
    }

    /// `x *= alpha` over `count` contiguous values (`cblas_sscal`).
    @inlinable
    public static func scale(count: Int, by alpha: Float, _ x: UnsafeMutablePointer<Float>?) {
        if count > 0 { cblas_sscal(blasint(count), alpha, x, 1) }
    }
}
