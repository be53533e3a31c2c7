import CNumerics

/// A float32 `[rows, columns]` weight copied once into the panel layout of `numerics_sgemm_packed`: the rows
/// (a layer's output features) in groups of 16, each group stored column by column (`[columns][16]`, zero rows
/// beyond `rows`). A product then streams each panel front to back and needs no packing per call and no horizontal
/// sums. The weights of a ``Linear`` layer packed by ``Linear/packed()``.
public final class PackedMatrix: @unchecked Sendable {
    /// Number of rows (a layer's output width).
    public let rows: Int
    /// Number of columns (a layer's input width).
    public let columns: Int
    /// The panels, `numerics_packed_count(rows, columns)` floats from ``PanelArena/shared`` (page-aligned); never
    /// written after `init`.
    let panels: UnsafeMutablePointer<Float>
    /// Bytes of `panels`.
    private let byteCount: Int

    /// `matrix` (`[rows, columns]`) in panel layout (a copy: the source may be freed afterwards).
    public init(_ matrix: Tensor) {
        precondition(matrix.rank == 2, "a packed matrix needs a [rows, columns] tensor, got \(matrix.shape)")
        rows = matrix.shape[0]
        columns = matrix.shape[1]
        let count = max(1, numerics_packed_count(rows, columns))
        byteCount = count * MemoryLayout<Float>.stride
        panels = PanelArena.shared.allocate(byteCount: byteCount)
            .bindMemory(to: Float.self, capacity: count)
        matrix.withUnsafeBufferPointer { numerics_pack_nt(rows, columns, $0.baseAddress!, columns, panels) }
    }

    deinit { PanelArena.shared.deallocate(panels, byteCount: byteCount) }

    /// The matrix back in row-major `[rows, columns]` order (a new tensor, exact).
    public var tensor: Tensor {
        Tensor(shape: [rows, columns]) { numerics_unpack_nt(rows, columns, panels, $0.baseAddress!, columns) }
    }
}
