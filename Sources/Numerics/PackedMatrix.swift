import CNumerics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A float32 `[rows, columns]` weight copied once into the panel layout of `numerics_sgemm_packed`: the rows
/// (a layer's output features) in groups of 16, each group stored column by column (`[columns][16]`, zero rows
/// beyond `rows`). A product then streams each panel front to back and needs no packing per call and no horizontal
/// sums. The weights of a ``Linear`` layer packed by ``Linear/packed()``.
public final class PackedMatrix: @unchecked Sendable {
    /// Number of rows (a layer's output width).
    public let rows: Int
    /// Number of columns (a layer's input width).
    public let columns: Int
    /// The panels, `numerics_packed_count(rows, columns)` floats, page aligned; never written after `init`.
    let panels: UnsafeMutablePointer<Float>
    /// Bytes mapped for `panels`.
    private let byteCount: Int

    /// `matrix` (`[rows, columns]`) in panel layout (a copy: the source may be freed afterwards).
    public init(_ matrix: Tensor) {
        precondition(matrix.rank == 2, "a packed matrix needs a [rows, columns] tensor, got \(matrix.shape)")
        rows = matrix.shape[0]
        columns = matrix.shape[1]
        let count = max(1, numerics_packed_count(rows, columns))
        byteCount = count * MemoryLayout<Float>.stride
        // Mapped directly rather than through malloc: a model packs hundreds of large weights while freeing their
        // sources, and glibc then raises its mmap threshold and serves the next ones from a heap it cannot give
        // back (measured: peak 1.23× the weights instead of 1.11×).
        let address = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let address, address != MAP_FAILED else { fatalError("cannot map \(byteCount) bytes for packed weights") }
        panels = address.bindMemory(to: Float.self, capacity: count)
        matrix.withUnsafeBufferPointer { numerics_pack_nt(rows, columns, $0.baseAddress!, columns, panels) }
    }

    deinit { munmap(UnsafeMutableRawPointer(panels), byteCount) }

    /// The matrix back in row-major `[rows, columns]` order (a new tensor, exact).
    public var tensor: Tensor {
        Tensor(shape: [rows, columns]) { numerics_unpack_nt(rows, columns, panels, $0.baseAddress!, columns) }
    }
}
