import CNumerics

/// A weight in the panel layout of ``PackedMatrix`` with IEEE half-precision elements (`numerics_pack_nt_f16`):
/// the weights of a packed ``Linear`` layer converted to ``Linear/Precision/float16``, read by
/// `numerics_sgemm_packed_f16` (widened to float on load; half the bytes to stream per product).
public final class PackedHalfMatrix: @unchecked Sendable {
    /// Number of rows (a layer's output width).
    public let rows: Int
    /// Number of columns (a layer's input width).
    public let columns: Int
    /// The panels, `numerics_packed_count(rows, columns)` halves from ``PanelArena/shared`` (page-aligned); never
    /// written after `init`.
    let panels: UnsafeMutablePointer<UInt16>
    /// Bytes of `panels`.
    private let byteCount: Int

    /// `matrix` (`[rows, columns]`) rounded to half precision (to nearest, ties to even) in panel layout.
    public init(_ matrix: Tensor) {
        precondition(matrix.rank == 2, "a packed matrix needs a [rows, columns] tensor, got \(matrix.shape)")
        rows = matrix.shape[0]
        columns = matrix.shape[1]
        let count = max(1, numerics_packed_count(rows, columns))
        byteCount = count * MemoryLayout<UInt16>.stride
        panels = PanelArena.shared.allocate(byteCount: byteCount)
            .bindMemory(to: UInt16.self, capacity: count)
        matrix.withUnsafeBufferPointer { numerics_pack_nt_f16(rows, columns, $0.baseAddress!, columns, panels) }
    }

    deinit { PanelArena.shared.deallocate(panels, byteCount: byteCount) }

    /// The half values widened back to a row-major `[rows, columns]` float tensor (exact).
    public var floatTensor: Tensor {
        Tensor(shape: [rows, columns]) { numerics_unpack_nt_f16(rows, columns, panels, $0.baseAddress!, columns) }
    }
}
