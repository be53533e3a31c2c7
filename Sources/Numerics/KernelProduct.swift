import CNumerics

/// One `output (+)= input · Wᵀ` product through the C kernels (`numerics_sgemm_nt`, `numerics_sgemm_nt_f16`),
/// cut into pieces that ``run(_:)`` hands to ``Parallel/threadCount`` threads as they come free.
///
/// A piece is 32 output columns (or more, so that it holds at least ~64k multiply-adds) of all rows; when the
/// rows of one 768-wide k block exceed 256 KB (a batch of images), 128 columns of up to 84 rows, so that both
/// operands of a piece stay in L2. Every output is computed the same way whatever the split. Made by
/// ``Linear/kernelProduct(_:rows:inputStride:into:outputStride:mode:)``; the pointers must stay valid until run.
struct KernelProduct: @unchecked Sendable {
    /// The weight memory, `[outFeatures, inFeatures]` row-major.
    enum Weights {
        case float32(UnsafePointer<Float>)
        case float16(UnsafePointer<UInt16>)
    }

    let input: UnsafePointer<Float>
    let rows: Int
    let inputStride: Int
    let weights: Weights
    let outFeatures: Int
    let inFeatures: Int
    let output: UnsafeMutablePointer<Float>
    let outputStride: Int
    let accumulate: Bool
    private let blockRows: Int
    private let rowBlocks: Int
    private let pieceColumns: Int
    /// Number of pieces.
    let pieceCount: Int

    init(
        input: UnsafePointer<Float>, rows: Int, inputStride: Int, weights: Weights, outFeatures: Int, inFeatures: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, accumulate: Bool
    ) {
        self.input = input
        self.rows = rows
        self.inputStride = inputStride
        self.weights = weights
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        self.output = output
        self.outputStride = outputStride
        self.accumulate = accumulate
        blockRows = rows * min(inFeatures, 768) <= 65_536 ? max(rows, 1) : 84
        rowBlocks = (rows + blockRows - 1) / blockRows
        let minimumColumns = (65_536 / max(1, rows * inFeatures) + 31) / 32 * 32
        pieceColumns = rowBlocks == 1 ? max(32, minimumColumns) : 128
        pieceCount = (outFeatures + pieceColumns - 1) / pieceColumns * rowBlocks
    }

    /// Piece `piece`: column piece `piece / rowBlocks`, row block `piece % rowBlocks` (neighbours share weights).
    func run(piece: Int) {
        let firstColumn = piece / rowBlocks * pieceColumns, firstRow = piece % rowBlocks * blockRows
        let columns = min(outFeatures, firstColumn + pieceColumns) - firstColumn
        let count = min(rows, firstRow + blockRows) - firstRow
        let a = input + firstRow * inputStride, c = output + firstRow * outputStride + firstColumn
        let flag: Int32 = accumulate ? 1 : 0
        switch weights {
        case .float32(let w):
            numerics_sgemm_nt(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, inFeatures, c,
                outputStride, flag)
        case .float16(let w):
            numerics_sgemm_nt_f16(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, inFeatures, c,
                outputStride, flag)
        }
    }

    /// Runs every piece of every product, all in one round of threads (products must not write where another
    /// reads or writes).
    static func run(_ products: [KernelProduct]) {
        let total = products.reduce(0) { $0 + $1.pieceCount }
        Parallel.forEachPiece(total, pieceSize: 1) { pieces in
            var product = 0, first = 0
            for piece in pieces {
                while piece - first >= products[product].pieceCount {
                    first += products[product].pieceCount
                    product += 1
                }
                products[product].run(piece: piece - first)
            }
        }
    }
}
