import CRetrieval
import Numerics

/// The C kernels that score int8 codes against a query (``VectorIndex/compactSearch(_:k:candidates:)`` and the
/// lists of ``IVFIndex``), lowest first. Every kernel returns the same int32 sums, so the same scores bit for bit;
/// they differ in speed only. The fastest one the CPU supports is chosen at run time (CPUID), never from the
/// build flags, within the calling thread's ``Numerics/KernelLevel`` (`--kernels avx2` keeps the scans to AVX2,
/// `portable` to C); ``withKernel(_:_:)`` runs a piece of work on another, e.g. to compare them.
public enum Int8Kernel: Int32, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// Portable C.
    case portable = 0
    /// AVX2: codes widened to int16, `vpmaddwd`.
    case avx2 = 1
    /// `vpdpbusd` on 256-bit registers (AVX-VNNI, or AVX512_VNNI with AVX512VL).
    case vnni256 = 2
    /// `vpdpbusd` on 512-bit registers (AVX512_VNNI with AVX512BW).
    case avx512VNNI = 3

    /// The kernel's short name, as `bench search` prints it and `--int8-kernel` takes it.
    public var name: String { String(cString: retrieval_int8_kernel_name(rawValue)) }

    public var description: String { name }

    public static func < (lhs: Int8Kernel, rhs: Int8Kernel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The kernel named `name` (see ``name``), or nil.
    public init?(name: String) {
        guard let kernel = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kernel
    }

    /// Whether this CPU and its operating system can run the kernel.
    public var isSupported: Bool { retrieval_int8_kernel_supported(rawValue) != 0 }

    /// The kernels this CPU can run, lowest first.
    public static var supported: [Int8Kernel] { allCases.filter(\.isSupported) }

    /// The fastest kernel this CPU can run.
    public static var best: Int8Kernel { Int8Kernel(rawValue: retrieval_int8_kernel_best()) ?? .portable }

    /// The kernel ``withKernel(_:_:)`` chose for the calling task (or thread), if any.
    @TaskLocal private static var chosen: Int8Kernel?

    /// The kernel the scans started here run: the one ``withKernel(_:_:)`` chose, else ``best`` within the calling
    /// thread's kernel level (the AVX2 kernel at most under ``Numerics/KernelLevel/avx2``, the portable one under
    /// ``Numerics/KernelLevel/portable``). Scans read it on the calling thread and hand it to their threads.
    public static var current: Int8Kernel {
        if let chosen { return chosen }
        switch KernelLevel.current {
        case .portable: return .portable
        case .avx2: return min(best, .avx2)
        case .avx512: return best
        }
    }

    /// Runs `body` with the int8 scans it starts on `kernel`.
    /// - Throws: ``RetrievalError/unsupportedKernel(name:supported:)`` when the CPU cannot run it.
    public static func withKernel<Result>(_ kernel: Int8Kernel, _ body: () throws -> Result) throws -> Result {
        guard kernel.isSupported else {
            throw RetrievalError.unsupportedKernel(name: kernel.name, supported: supported.map(\.name))
        }
        return try $chosen.withValue(kernel, operation: body)
    }

    /// The exact int32 sums `Σ_j codes[r·dimension + j] · query[j]` of `rows` rows computed by this kernel
    /// (the CPU must support it), as the scans compute them before scaling.
    public func sums(codes: [Int8], rows: Int, dimension: Int, query: [Int16]) -> [Int32] {
        precondition(codes.count == rows * dimension && query.count == dimension, "codes must be [rows, dimension], query [dimension]")
        var sums = [Int32](repeating: 0, count: rows)
        codes.withUnsafeBufferPointer { c in
            query.withUnsafeBufferPointer { q in
                sums.withUnsafeMutableBufferPointer { s in
                    retrieval_int8_sums_with(rawValue, c.baseAddress, rows, dimension, q.baseAddress, s.baseAddress)
                }
            }
        }
        return sums
    }
}
