import CNumerics

/// A weight rounded to bfloat16 (to nearest, ties to even, as PyTorch rounds) in the panel layout of
/// `numerics_pack_nt_bf16`: 16 output columns per panel, the input dimension in pairs, one 64-byte line per pair
/// of all 16 columns. The weights of a ``Linear`` layer converted to ``Linear/Precision/bfloat16``: half the
/// memory of float32, read by `numerics_sgemm_packed_bf16` (`vdpbf16ps` where the CPU has it, otherwise widened to
/// float32 in registers; see ``BFloat16Kernel``).
public final class PackedBFloat16Matrix: @unchecked Sendable {
    /// `[rows, columns]`: the layer's output and input widths.
    public let rows: Int, columns: Int
    /// `numerics_bf16_packed_count(rows, columns)` values, page-aligned; never written after `init`.
    private let memory: ArenaElements<UInt16>

    /// The panels from the first column on.
    var panels: UnsafeMutablePointer<UInt16> { memory.base }

    /// `matrix` (`[rows, columns]`) rounded to bfloat16 in panel layout (a copy: the source may be freed afterwards).
    public init(_ matrix: Tensor) {
        precondition(matrix.rank == 2, "a packed bf16 matrix needs a [rows, columns] tensor, got \(matrix.shape)")
        (rows, columns) = (matrix.shape[0], matrix.shape[1])
        memory = ArenaElements(count: max(1, numerics_bf16_packed_count(rows, columns)))
        let (n, k, panels) = (rows, columns, memory.base)
        matrix.withUnsafeBufferPointer { numerics_pack_nt_bf16(n, k, $0.baseAddress!, k, panels) }
    }

    /// The bfloat16 values widened back to a row-major `[rows, columns]` float tensor (exact).
    public var floatTensor: Tensor {
        Tensor(shape: [rows, columns]) { numerics_unpack_nt_bf16(rows, columns, panels, $0.baseAddress!, columns) }
    }

    /// The panels of output columns `first...` (a multiple of 16 apart from the start).
    func panels(fromColumn first: Int) -> UnsafePointer<UInt16> {
        UnsafePointer(panels + first * numerics_bf16_pair_length(columns))
    }
}

/// The kernel of products over ``PackedBFloat16Matrix`` weights. All of them compute the same sums in the same
/// order (bit for bit the same results, apart from `vdpbf16ps` flushing subnormals to zero); they differ in speed.
public enum BFloat16Kernel: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Plain C.
    case portable = 0
    /// AVX2 + FMA, bfloat16 widened to float32 in registers.
    case avx2 = 1
    /// AVX-512F, bfloat16 widened to float32 in registers.
    case avx512 = 2
    /// AVX512_BF16's `vdpbf16ps`.
    case dpbf16 = 3

    /// The kernel ``withKernel(_:_:)`` chose for the calling task (or thread), if any.
    @TaskLocal private static var chosen: BFloat16Kernel?

    /// The kernel products started here use: the one ``withKernel(_:_:)`` chose, else ``fastest``.
    public static var current: BFloat16Kernel { chosen ?? fastest }

    /// The faster of the kernels ``reported`` allows, timed once (`vdpbf16ps` against the widened AVX-512F tiles,
    /// where CPUID reports AVX512_BF16: which one wins depends on the microarchitecture); otherwise ``reported``.
    /// Timed at the first call (`numerics_bf16_kernel_fastest` keeps the answer), not at start-up.
    public static var fastest: BFloat16Kernel { BFloat16Kernel(rawValue: numerics_bf16_kernel_fastest()) ?? .portable }

    /// The fastest kernel the CPU's CPUID flags allow (`avx512bf16`, `avx512f`, `avx2` + `fma`).
    public static var reported: BFloat16Kernel {
        BFloat16Kernel(rawValue: numerics_bf16_kernel_reported()) ?? .portable
    }

    /// Whether this CPU runs the kernel: CPUID reports its instructions, or for ``dpbf16`` one `vdpbf16ps` runs
    /// correctly in a probe (some hypervisors hide AVX512_BF16 from CPUID on CPUs that have it).
    public var runsHere: Bool { numerics_bf16_kernel_runs(rawValue) != 0 }

    /// Runs `body` with the bfloat16 products it starts on `kernel`, which must run here (``runsHere``); other
    /// work at the same time keeps ``fastest``. Benchmarks and tests compare kernels this way.
    public static func withKernel<Result>(_ kernel: BFloat16Kernel, _ body: () throws -> Result) rethrows -> Result {
        precondition(kernel.runsHere, "this CPU does not run the bf16 kernel \(kernel)")
        return try $chosen.withValue(kernel, operation: body)
    }

    /// "vdpbf16ps (AVX512_BF16)", "AVX-512F, widened to float32", "AVX2+FMA, widened to float32" or "portable C".
    public var description: String { String(cString: numerics_bf16_kernel_name(rawValue)) }
}

/// One product's input rows rounded to bfloat16 once, in the layout `kernel` reads (`numerics_bf16_pack_rows`),
/// before the product's pieces go out to the threads: every piece of the product reads them.
final class BFloat16Rows: @unchecked Sendable {
    let kernel: BFloat16Kernel
    let memory: UnsafeMutableRawPointer

    init(_ input: UnsafePointer<Float>, rows: Int, width: Int, stride: Int, kernel: BFloat16Kernel) {
        self.kernel = kernel
        let kind = kernel.rawValue
        let rowBytes = numerics_bf16_rows_bytes(kind, 1, width)
        memory = .allocate(byteCount: max(64, rows * rowBytes), alignment: 64)
        let source = UnsafeSendablePointer(input)
        let destination = self
        // Large inputs (a batch of images) round on every thread; a text's few rows on the calling one.
        Parallel.forEachChunk(rows, minimumChunk: max(1, 65_536 / max(1, width))) { chunk in
            numerics_bf16_pack_rows(
                kind, chunk.count, width, source.base + chunk.lowerBound * stride, stride,
                destination.memory + chunk.lowerBound * rowBytes)
        }
    }

    deinit { memory.deallocate() }
}

/// `count` elements carved from ``PanelArena/shared`` (page-aligned, huge pages when it advises them), given back
/// when the value goes.
final class ArenaElements<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    private let byteCount: Int

    init(count: Int) {
        byteCount = count * MemoryLayout<Element>.stride
        base = PanelArena.shared.allocate(byteCount: byteCount).bindMemory(to: Element.self, capacity: count)
    }

    deinit { PanelArena.shared.deallocate(base, byteCount: byteCount) }
}
