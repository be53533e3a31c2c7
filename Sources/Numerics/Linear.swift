import CNumerics

/// A fully connected layer, `torch.nn.Linear`: `y = x · Wᵀ + b` with `W` stored `[out, in]` as PyTorch does.
public struct Linear: Sendable {
    /// How the weight matrix is stored. Inputs, products and sums are float32 either way.
    public enum Precision: String, Sendable, CaseIterable {
        /// Float32, as loaded: results match PyTorch to rounding.
        case float32
        /// IEEE half precision (rounded once, to nearest): half the memory and half the bytes to stream per
        /// product, at the cost of a ~1e-3 relative error per weight. Opt-in only (see ``converted(to:)``).
        case float16
    }

    /// The weight as stored.
    enum Storage: Sendable {
        case float32(Tensor)
        case float16(HalfPrecisionMatrix)
    }

    let storage: Storage
    /// `[outFeatures]`, or `nil` for a layer without bias.
    public let bias: Tensor?
    /// Input width.
    public let inFeatures: Int
    /// Output width.
    public let outFeatures: Int

    /// A layer over `weight` `[out, in]` and optional `bias` `[out]` (no copies).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        if let bias { precondition(bias.count == weight.shape[0], "Linear bias \(bias.shape) for weight \(weight.shape)") }
        storage = .float32(weight)
        self.bias = bias
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
    }

    private init(storage: Storage, bias: Tensor?, outFeatures: Int, inFeatures: Int) {
        self.storage = storage
        self.bias = bias
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
    }

    /// `[outFeatures, inFeatures]`: the float32 weight, or for a ``Precision/float16`` layer its half values
    /// widened to float32 (a new tensor on every access).
    public var weight: Tensor {
        switch storage {
        case .float32(let tensor): tensor
        case .float16(let half): half.floatTensor
        }
    }

    /// How the weight is stored.
    public var precision: Precision {
        switch storage {
        case .float32: .float32
        case .float16: .float16
        }
    }

    /// The same layer with its weight stored in `precision` (the bias stays float32). Converting float32 to
    /// float16 rounds every weight once; back to float32 widens exactly. The result no longer refers to the old
    /// weight, so dropping the old layer frees it.
    public func converted(to precision: Precision) -> Linear {
        guard precision != self.precision else { return self }
        let storage: Storage =
            switch precision {
            case .float32: .float32(weight)
            case .float16: .float16(HalfPrecisionMatrix(weight))
            }
        return Linear(storage: storage, bias: bias, outFeatures: outFeatures, inFeatures: inFeatures)
    }

    /// `[..., in] → [..., out]`: one `cblas_sgemm` over every row (all tokens of all batch items) at once.
    ///
    /// Cost `2·rows·in·out` flops.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rowWidth == inFeatures, "Linear expects width \(inFeatures), got \(x.shape)")
        var outShape = x.shape
        outShape[outShape.count - 1] = outFeatures
        return Tensor(shape: outShape) { out in
            x.withUnsafeBufferPointer { input in
                apply(input.baseAddress!, rows: x.rowCount, into: out.baseAddress!)
            }
        }
    }

    /// Up to this many rows take ``fewRowsPath`` when ``productPath`` is ``ProductPath/blas``.
    public static let matrixVectorRowLimit = 8

    /// Which code computes a layer's matrix product.
    public enum ProductPath: String, Sendable, CaseIterable {
        /// `numerics_sgemm_nt` (C, AVX2 + FMA): the weights are read where they lie (no packing, no copy),
        /// 6 input rows against 32 weight rows at a time, output columns split across ``Parallel/threadCount``
        /// threads. Results do not depend on the split or on the number of rows.
        case kernel
        /// `cblas_sgemm` (OpenBLAS packs the weights on every call, with its own threads), or ``fewRowsPath`` for
        /// at most ``matrixVectorRowLimit`` rows.
        case blas
    }

    /// The product path; process-wide, for benchmarks (`bench engine --products`). Default ``ProductPath/kernel``.
    public nonisolated(unsafe) static var productPath = ProductPath.kernel

    /// How products of at most ``matrixVectorRowLimit`` rows (a short text, one pooled token) are computed on the
    /// ``ProductPath/blas`` path.
    public enum FewRowsPath: String, Sendable, CaseIterable {
        /// One `cblas_sgemm` (packs the weights on every call).
        case sgemm
        /// One `cblas_sgemv` per row (reads the weights once per row).
        case sgemv
        /// `numerics_sgemm_nt`, as on the ``ProductPath/kernel`` path.
        case kernel
    }

    /// The path for few rows under ``ProductPath/blas``; process-wide, for benchmarks (`bench engine --few-rows`).
    public nonisolated(unsafe) static var fewRowsPath = FewRowsPath.kernel

    /// How ``apply(_:rows:inputStride:into:outputStride:mode:)`` treats the output buffer.
    public enum OutputMode: Sendable {
        /// `output = x·Wᵀ + b`.
        case overwrite
        /// `output = x·Wᵀ` (the caller adds the bias later, e.g. fused with an activation).
        case overwriteWithoutBias
        /// `output += x·Wᵀ + b` (a residual connection folded into the product).
        case accumulate
    }

    /// The layer on raw memory: `rows` inputs of width `inFeatures` (row stride `inputStride`, default
    /// `inFeatures`) to `rows` outputs of width `outFeatures` (row stride `outputStride`, default `outFeatures`).
    /// One product on `path` (``ProductPath/kernel`` by default); the bias costs one extra pass over the output.
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int? = nil,
        into output: UnsafeMutablePointer<Float>, outputStride: Int? = nil, mode: OutputMode = .overwrite,
        path: ProductPath = Linear.productPath, fewRows: FewRowsPath = Linear.fewRowsPath
    ) {
        let out = outFeatures
        let ldc = outputStride ?? out
        let lda = inputStride ?? inFeatures
        var beta: Float = mode == .accumulate ? 1 : 0
        if let bias, mode != .overwriteWithoutBias {
            bias.withUnsafeBufferPointer { b in
                for r in 0..<rows {
                    let row = output + r * ldc
                    if mode == .accumulate {
                        VectorKernels.add(row, b.baseAddress!, row, out)
                    } else {
                        row.update(from: b.baseAddress!, count: out)
                    }
                }
            }
            beta = 1
        }
        let w: Tensor
        switch storage {
        case .float16(let half):
            // Half-precision weights exist only for the C kernel.
            Self.kernelProduct(
                input, rows: rows, inputStride: lda, weights: .float16(half.bits), outFeatures: out,
                inFeatures: inFeatures, into: output, outputStride: ldc, accumulate: beta == 1)
            return
        case .float32(let tensor):
            w = tensor
        }
        w.withUnsafeBufferPointer { w in
            if path == .kernel || (rows <= Self.matrixVectorRowLimit && fewRows == .kernel) {
                Self.kernelProduct(
                    input, rows: rows, inputStride: lda, weights: .float32(w.baseAddress!), outFeatures: out,
                    inFeatures: inFeatures, into: output, outputStride: ldc, accumulate: beta == 1)
                return
            }
            if rows <= Self.matrixVectorRowLimit, fewRows == .sgemv {
                // A few rows (a short text, one pooled token): one matrix-vector product per row skips sgemm's
                // weight packing; the weights stay in cache between rows.
                for r in 0..<rows {
                    // Zero first: some OpenBLAS versions compute beta·y even for beta = 0 (NaN from garbage).
                    if beta == 0 { (output + r * ldc).update(repeating: 0, count: out) }
                    BLAS.gemv(
                        m: out, n: inFeatures, a: w.baseAddress!, lda: inFeatures, x: input + r * lda, beta: 1,
                        y: output + r * ldc)
                }
                return
            }
            BLAS.gemm(
                transposeB: true, m: rows, n: out, k: inFeatures,
                a: input, lda: lda, b: w.baseAddress!, ldb: inFeatures, beta: beta, c: output, ldc: ldc)
        }
    }

    /// Weight memory handed to the C kernels.
    enum KernelWeights: @unchecked Sendable {
        case float32(UnsafePointer<Float>)
        case float16(UnsafePointer<UInt16>)
    }

    /// `output[r] (+)= input[r] · weightsᵀ` through `numerics_sgemm_nt` (or `numerics_sgemm_nt_f16`) in pieces
    /// handed out to ``Parallel/threadCount`` threads as they come free: 32 output columns (or more, so that a
    /// piece holds at least ~64k multiply-adds) of all rows; when the rows of one 768-wide k block exceed 256 KB
    /// (a batch of images), 128 columns of up to 84 rows, so that both operands of a piece stay in L2.
    /// Each output is computed the same way whatever the split.
    static func kernelProduct(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int, weights: KernelWeights, outFeatures: Int,
        inFeatures: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int, accumulate: Bool
    ) {
        let x = UnsafeSendablePointer(input), y = UnsafeMutableSendablePointer(output)
        let flag: Int32 = accumulate ? 1 : 0
        let blockRows = rows * min(inFeatures, 768) <= 65_536 ? rows : 84
        let rowBlocks = (rows + blockRows - 1) / blockRows
        let minimumColumns = (65_536 / max(1, rows * inFeatures) + 31) / 32 * 32
        let pieceColumns = rowBlocks == 1 ? max(32, minimumColumns) : 128
        let columnPieces = (outFeatures + pieceColumns - 1) / pieceColumns
        // Piece p: column piece p / rowBlocks, row block p % rowBlocks (consecutive pieces share weights).
        Parallel.forEachPiece(columnPieces * rowBlocks, pieceSize: 1) { pieces in
            for piece in pieces {
                let firstColumn = piece / rowBlocks * pieceColumns, firstRow = piece % rowBlocks * blockRows
                let columns = min(outFeatures, firstColumn + pieceColumns) - firstColumn
                let count = min(rows, firstRow + blockRows) - firstRow
                let a = x.base + firstRow * inputStride, c = y.base + firstRow * outputStride + firstColumn
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
        }
    }
}
