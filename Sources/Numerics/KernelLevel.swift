import CNumerics

/// The instruction set the C kernels of `CNumerics` run at — matrix products, attention and the element-wise
/// kernels. The CPU's best level is read once, at run time, from CPUID (``detected``); the build flags play no part,
/// so one binary runs the AVX-512 kernels on a CPU that has them, AVX2 + FMA on one that has only those, and
/// portable C elsewhere. A ceiling lowers the level for comparison (``withCeiling(_:_:)``); it belongs to the
/// calling thread and the rounds of ``Parallel`` work it starts, so two callers can compare levels side by side.
///
/// Every level computes the same products within float rounding: the packed products (what the CLIP loaders use)
/// are bit for bit the same at every level, the other kernels sum in a different order or width.
public enum KernelLevel: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Portable C, the last resort.
    case portable
    /// AVX2 + FMA + F16C: 8-lane tiles.
    case avx2
    /// AVX-512 (F, BW, VL, DQ) on top of AVX2: 16-lane tiles for products of any row count, attention and the
    /// element-wise kernels.
    case avx512

    /// The level's number in `CNumerics` (`NUMERICS_KERNELS_*`).
    var rank: Int32 {
        switch self {
        case .portable: NUMERICS_KERNELS_PORTABLE
        case .avx2: NUMERICS_KERNELS_AVX2
        case .avx512: NUMERICS_KERNELS_AVX512
        }
    }

    init(rank: Int32) {
        self = Self.allCases.last { $0.rank <= rank } ?? .portable
    }

    public static func < (lhs: KernelLevel, rhs: KernelLevel) -> Bool { lhs.rank < rhs.rank }

    /// The best level this CPU runs (`__builtin_cpu_supports`, read once).
    public static let detected = KernelLevel(rank: numerics_kernels_detected())

    /// The levels this CPU runs, lowest first (the portable level always).
    public static var supported: [KernelLevel] { allCases.filter { $0 <= detected } }

    /// The level the calling thread's kernels run at: ``detected`` capped by the thread's ceiling.
    public static var current: KernelLevel { KernelLevel(rank: numerics_kernels_level()) }

    /// Runs `body` with the calling thread's kernels (and the ``Parallel`` rounds it starts) at most at `ceiling`,
    /// then restores the ceiling before. A ceiling above ``detected`` changes nothing.
    public static func withCeiling<Result>(_ ceiling: KernelLevel, _ body: () throws -> Result) rethrows -> Result {
        let before = numerics_kernels_ceiling()
        numerics_kernels_set_ceiling(ceiling.rank)
        defer { numerics_kernels_set_ceiling(before) }
        return try body()
    }

    /// What runs at this level, for benchmark headers.
    public var summary: String {
        switch self {
        case .portable: "portable C"
        case .avx2: "AVX2+FMA tiles"
        case .avx512: "AVX-512 tiles (products of every row count, attention, element-wise)"
        }
    }

    public var description: String { rawValue }
}
