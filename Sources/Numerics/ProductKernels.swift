import CNumerics

/// Which instruction sets the C product kernels (`CNumerics`) use on this CPU.
public enum ProductKernels {
    /// Whether the AVX2 + FMA (+ F16C) kernels run (portable C otherwise).
    public static var usesAVX2: Bool { numerics_kernels_use_avx2() != 0 }

    /// Whether products over packed weights with at most 16 rows (a text, pooled rows) go through the AVX-512
    /// few-row tiles: the CPU has AVX-512F and ``allowsAVX512`` is on. Their outputs are bit for bit the AVX2 tiles'.
    public static var usesAVX512: Bool { numerics_kernels_use_avx512() != 0 }

    /// Allows (the default) or forbids the AVX-512 few-row tiles — to compare the two, or to rule them out. Products
    /// that start afterwards follow it; their results are the same either way.
    public static var allowsAVX512: Bool {
        get { numerics_kernels_avx512_allowed() != 0 }
        set { numerics_kernels_allow_avx512(newValue ? 1 : 0) }
    }

    /// A short description for benchmark headers: "AVX2+FMA, AVX-512 few-row tiles", "AVX2+FMA" or "portable C".
    public static var summary: String {
        guard usesAVX2 else { return "portable C" }
        return usesAVX512 ? "AVX2+FMA, AVX-512 few-row tiles" : "AVX2+FMA"
    }
}
