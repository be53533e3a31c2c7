import CNumerics

/// One `output (+)= input · Wᵀ` product through the C kernels (`numerics_sgemm_packed`, `numerics_sgemm_nt`,
/// `numerics_sgemm_nt_f16`, `numerics_sgemm_nt_many_rows`), cut into pieces that ``run(_:)`` hands to ``Parallel/threadCount`` threads as
/// they come free.
///
/// For a packed weight (``Linear/packed()``, what the CLIP loaders make) products run through
/// `numerics_sgemm_packed` (`numerics_sgemm_packed_f16` once converted to float16). Up to ``fewRows`` rows a piece
/// is 64 output columns of all rows (or more, for ~64k multiply-adds). With more rows a piece is one 16-column
/// panel, and a thread takes up to ``largestGrab`` consecutive panels at a time, fewer as the round runs out, so
/// the threads finish together: at 77 rows a layer's `fc2` used to be 8 pieces of ~185 µs each, and the threads'
/// waits at the ends of rounds halved (3.8 % → 2.0 % of a 77-token text's samples). For a row-major float32 weight:
/// up to ``manyRows`` rows (a text, one image's 50 tokens) a piece is 32 output columns (or more, so that it holds
/// at least ~64k multiply-adds) of all rows, through `numerics_sgemm_nt`. From ``manyRows`` float32 rows on (a
/// batch of images) a piece is 128 columns of all rows through `numerics_sgemm_nt_many_rows`, which packs those
/// columns once and is ~15 % faster there. Every output is computed the same way whatever the split of columns;
/// the two kernels round differently (float32 rounding level). Made by
/// ``Linear/kernelProduct(_:rows:inputStride:into:outputStride:mode:)``; the pointers must stay valid until run.
struct KernelProduct: @unchecked Sendable {
    /// The weight memory, `[outFeatures, inFeatures]` row-major.
    enum Weights {
        case float32(UnsafePointer<Float>)
        case float16(UnsafePointer<UInt16>)
        /// A ``PackedMatrix``'s panels.
        case packed(UnsafePointer<Float>)
        /// A ``PackedHalfMatrix``'s panels.
        case packedFloat16(UnsafePointer<UInt16>)
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
    /// Applied to each piece's outputs right after its product, by the same thread while they are in cache:
    /// `out = act(out + bias)` (bias `[outFeatures]`).
    var epilogue: (activation: Activation, bias: UnsafePointer<Float>)?
    private let pieceColumns: Int
    private let useManyRowsKernel: Bool
    /// From this many rows, float32 products go through `numerics_sgemm_nt_many_rows`.
    static let manyRows = 192
    /// Up to this many rows, a packed product's pieces are 64 columns or more, handed out one at a time.
    static let fewRows = 16
    /// Most pieces a thread takes at once (consecutive columns of one product, run as one call): 4 panels for a
    /// packed product of more than ``fewRows`` rows, otherwise 1.
    private(set) var largestGrab = 1
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
        if weights.isPacked {
            useManyRowsKernel = false
            if rows > Self.fewRows {
                // One panel per piece; a thread takes up to 4 at a time while many are left (see `run(_:)`).
                // Four keep the 4-panel chunks the kernel reuses each row group over (uniform 2-panel pieces
                // measured ~7 % slower, grabs of up to 8 panels no faster).
                pieceColumns = 16
                largestGrab = 4
            } else {
                // Whole panels: 64 columns (or more, for ~64k multiply-adds) of all rows.
                pieceColumns = max(64, (65_536 / max(1, rows * inFeatures) + 63) / 64 * 64)
            }
        } else if case .float32 = weights, rows >= Self.manyRows {
            useManyRowsKernel = true
            pieceColumns = 128
        } else {
            useManyRowsKernel = false
            pieceColumns = max(32, (65_536 / max(1, rows * inFeatures) + 31) / 32 * 32)
        }
        pieceCount = (outFeatures + pieceColumns - 1) / pieceColumns
    }

    /// Pieces `pieces`: output columns `pieces.lowerBound · pieceColumns ..<` of every row, in one call. With
    /// `next` (the pieces this thread runs after these, of this product or another of the same round), a packed
    /// product requests the first panels of those while it finishes (see the C header).
    func run(pieces: Range<Int>, then next: (product: KernelProduct, pieces: Range<Int>)? = nil) {
        let firstColumn = pieces.lowerBound * pieceColumns
        let columns = min(outFeatures, pieces.upperBound * pieceColumns) - firstColumn
        let (count, a, c) = (rows, input, output + firstColumn)
        let flag: Int32 = accumulate ? 1 : 0
        defer {
            if let (activation, bias) = epilogue {
                let kind: Int32 = activation == .gelu ? 1 : 0
                for r in 0..<count { numerics_activation(c + r * outputStride, columns, bias + firstColumn, kind) }
            }
        }
        // The columns to request next: the same input width, so the same panel layout.
        let following = next.flatMap { next in
            next.product.inFeatures == inFeatures
                ? (weights: next.product.weights, first: next.pieces.lowerBound * next.product.pieceColumns,
                   columns: min(next.product.outFeatures, next.pieces.upperBound * next.product.pieceColumns)
                    - next.pieces.lowerBound * next.product.pieceColumns)
                : nil
        }
        switch weights {
        case .float32(let w) where useManyRowsKernel:
            numerics_sgemm_nt_many_rows(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, inFeatures, c,
                outputStride, flag)
        case .float32(let w):
            numerics_sgemm_nt(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, inFeatures, c,
                outputStride, flag)
        case .packed(let w):
            var ahead: UnsafePointer<Float>? = nil
            if let following, case .packed(let v) = following.weights { ahead = v + following.first * inFeatures }
            numerics_sgemm_packed_prefetching(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, c, outputStride, flag,
                ahead, ahead == nil ? 0 : following!.columns)
        case .packedFloat16(let w):
            var ahead: UnsafePointer<UInt16>? = nil
            if let following, case .packedFloat16(let v) = following.weights {
                ahead = v + following.first * inFeatures
            }
            numerics_sgemm_packed_f16_prefetching(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, c, outputStride, flag,
                ahead, ahead == nil ? 0 : following!.columns)
        case .float16(let w):
            numerics_sgemm_nt_f16(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, inFeatures, c,
                outputStride, flag)
        }
    }

    /// Runs every piece of every product, all in one round of threads (products must not write where another
    /// reads or writes). Pieces go out as the threads come free, several consecutive ones at a time while many are
    /// left (``Parallel/forEachGuidedPiece(_:largestPiece:threads:_:)``), so that the threads finish together.
    static func run(_ products: [KernelProduct]) {
        let total = products.reduce(0) { $0 + $1.pieceCount }
        let grab = products.map(\.largestGrab).min() ?? 1
        // The product holding piece `piece` (of all products' pieces in order), and that piece's index in it.
        @Sendable func locate(_ piece: Int) -> (product: Int, first: Int) {
            var product = 0, first = 0
            while piece - first >= products[product].pieceCount {
                first += products[product].pieceCount
                product += 1
            }
            return (product, first)
        }
        Parallel.forEachGuidedPiece(total, largestPiece: grab) { pieces, nextPieces in
            let after = nextPieces.map { next in
                let (product, first) = locate(next.lowerBound)
                let end = min(next.upperBound, first + products[product].pieceCount)
                return (product: products[product], pieces: (next.lowerBound - first)..<(end - first))
            }
            // The products these pieces fall in, each run on its share as one call.
            var piece = pieces.lowerBound
            while piece < pieces.upperBound {
                let (product, first) = locate(piece)
                let end = min(pieces.upperBound, first + products[product].pieceCount)
                let local = (piece - first)..<(end - first)
                // Next: the rest of this grab (it continues in the next product), else the thread's next grab.
                let rest = end < pieces.upperBound ? products[product + 1] : nil
                let next = rest.map { (product: $0, pieces: 0..<min(pieces.upperBound - end, $0.pieceCount)) } ?? after
                products[product].run(pieces: local, then: next)
                piece = end
            }
        }
    }
}

extension KernelProduct.Weights {
    /// Whether the weight is in panel layout (float32 or float16).
    var isPacked: Bool {
        switch self {
        case .packed, .packedFloat16: true
        case .float32, .float16: false
        }
    }
}
