import CNumerics

/// One `output (+)= input · Wᵀ` product through the C kernels (`numerics_sgemm_packed`, `numerics_sgemm_nt`,
/// `numerics_sgemm_nt_f16`, `numerics_sgemm_nt_many_rows`), cut into pieces that ``run(_:)`` hands to ``Parallel/threadCount`` threads as
/// they come free.
///
/// For a packed weight (``Linear/packed()``, what the CLIP loaders make) products run through
/// `numerics_sgemm_packed` (`numerics_sgemm_packed_f16` once converted to float16). Up to ``fewRows`` rows a piece
/// is 64 output columns of all rows (or more, for ~64k multiply-adds). With more rows a piece is one 16-column
/// panel, and a thread takes up to ``largestGrab`` consecutive panels at a time, fewer as the round runs out, so
/// the threads finish together (at 77 rows a layer's `fc2` in pieces of 64 columns would be 8 pieces of ~185 µs,
/// leaving one thread idle at the end of most rounds; see docs/PERFORMANCE.md). For a row-major float32 weight:
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
        /// A ``PackedBFloat16Matrix`` and the product's input rounded to bfloat16 for the kernel to use.
        case packedBFloat16(PackedBFloat16Matrix, BFloat16Rows)
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

    /// The output columns of pieces `pieces`.
    func columns(of pieces: Range<Int>) -> Range<Int> {
        (pieces.lowerBound * pieceColumns)..<min(outFeatures, pieces.upperBound * pieceColumns)
    }

    /// Pieces `pieces`: their output columns (``columns(of:)``) of every row, in one call. With `next` (the pieces
    /// this thread runs after these, of this product or another of the same round), a packed product requests the
    /// first panels of those while it finishes (see the C header).
    func run(pieces: Range<Int>, then next: (product: KernelProduct, pieces: Range<Int>)? = nil) {
        let span = columns(of: pieces)
        let (firstColumn, columns) = (span.lowerBound, span.count)
        let (count, a, c) = (rows, input, output + firstColumn)
        let flag: Int32 = accumulate ? 1 : 0
        defer {
            if let (activation, bias) = epilogue {
                let kind: Int32 = activation == .gelu ? 1 : 0
                for r in 0..<count { numerics_activation(c + r * outputStride, columns, bias + firstColumn, kind) }
            }
        }
        // What to request next: a product with the same input width has the same panel layout.
        let following = next.flatMap { next in
            next.product.inFeatures == inFeatures ? (next.product.weights, next.product.columns(of: next.pieces)) : nil
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
            var ahead: (UnsafePointer<Float>?, Int) = (nil, 0)
            if let (weights, span) = following, case .packed(let v) = weights {
                ahead = (v + span.lowerBound * inFeatures, span.count)
            }
            numerics_sgemm_packed_prefetching(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, c, outputStride, flag,
                ahead.0, ahead.1)
        case .packedFloat16(let w):
            var ahead: (UnsafePointer<UInt16>?, Int) = (nil, 0)
            if let (weights, span) = following, case .packedFloat16(let v) = weights {
                ahead = (v + span.lowerBound * inFeatures, span.count)
            }
            numerics_sgemm_packed_f16_prefetching(
                count, columns, inFeatures, 1, a, inputStride, w + firstColumn * inFeatures, c, outputStride, flag,
                ahead.0, ahead.1)
        case .packedBFloat16(let w, let packedRows):
            numerics_sgemm_packed_bf16(
                packedRows.kernel.rawValue, count, columns, inFeatures, packedRows.memory, w.panels(fromColumn: firstColumn),
                c, outputStride, flag)
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
        // The first product `pieces` (of all products' pieces in order) fall in, and its share of them.
        @Sendable func share(of pieces: Range<Int>) -> (product: KernelProduct, pieces: Range<Int>) {
            var product = 0, first = 0
            while pieces.lowerBound - first >= products[product].pieceCount {
                first += products[product].pieceCount
                product += 1
            }
            let end = min(pieces.upperBound, first + products[product].pieceCount)
            return (products[product], (pieces.lowerBound - first)..<(end - first))
        }
        Parallel.forEachGuidedPiece(total, largestPiece: grab) { pieces, nextPieces in
            // Each product these pieces fall in runs its share as one call; the next call is the rest of this
            // grab, else the thread's next grab.
            var start = pieces.lowerBound
            while start < pieces.upperBound {
                let current = share(of: start..<pieces.upperBound)
                start += current.pieces.count
                let next = start < pieces.upperBound ? share(of: start..<pieces.upperBound) : nextPieces.map(share)
                current.product.run(pieces: current.pieces, then: next)
            }
        }
    }
}

extension KernelProduct.Weights {
    /// Whether the weight is in panel layout (float32 or float16).
    var isPacked: Bool {
        switch self {
        case .packed, .packedFloat16, .packedBFloat16: true
        case .float32, .float16: false
        }
    }
}
