import CNumerics

/// A row-major `[rows, columns]` matrix stored as IEEE half precision (binary16): the weights of a
/// ``Linear`` layer in ``Linear/Precision/float16`` mode, half the bytes of float32 to stream per product.
public final class HalfPrecisionMatrix: @unchecked Sendable {
    /// Number of rows (a layer's output width).
    public let rows: Int
    /// Number of columns (a layer's input width).
    public let columns: Int
    /// The elements, `rows · columns` of them; never written after `init`.
    let bits: UnsafeMutablePointer<UInt16>

    /// `matrix` (`[rows, columns]`) rounded to half precision, to nearest with ties to even (values beyond ±65504
    /// become infinities: CLIP weights are far smaller).
    public init(_ matrix: Tensor) {
        precondition(matrix.rank == 2, "a half-precision matrix needs a [rows, columns] tensor, got \(matrix.shape)")
        rows = matrix.shape[0]
        columns = matrix.shape[1]
        bits = .allocate(capacity: max(1, rows * columns))
        matrix.withUnsafeBufferPointer { numerics_f32_to_f16($0.baseAddress!, bits, $0.count) }
    }

    deinit { bits.deallocate() }

    /// The matrix widened back to float32 (exact: every half value is a float).
    public var floatTensor: Tensor {
        Tensor(shape: [rows, columns]) { numerics_f16_to_f32(bits, $0.baseAddress!, $0.count) }
    }
}
