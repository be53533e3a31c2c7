import CNumerics

/// A fully connected layer, `torch.nn.Linear`: `y = x · Wᵀ + b` with `W` stored `[out, in]` as PyTorch does.
public struct Linear: Sendable {
    /// `[outFeatures, inFeatures]`.
    public let weight: Tensor
    /// `[outFeatures]`, or `nil` for a layer without bias.
    public let bias: Tensor?

    /// A layer over `weight` `[out, in]` and optional `bias` `[out]` (no copies).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear weight must be [out, in], got \(weight.shape)")
        if let bias { precondition(bias.count == weight.shape[0], "Linear bias \(bias.shape) for weight \(weight.shape)") }
        self.weight = weight
        self.bias = bias
    }

    /// Input width.
    public var inFeatures: Int { weight.shape[1] }
    /// Output width.
    public var outFeatures: Int { weight.shape[0] }

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

    /// Up to this many rows take ``fewRowsPath`` instead of one `cblas_sgemm`.
    public static let matrixVectorRowLimit = 8

    /// How products of at most ``matrixVectorRowLimit`` rows (a short text, one pooled token) are computed.
    public enum FewRowsPath: String, Sendable, CaseIterable {
        /// One `cblas_sgemm` (packs the weights on every call).
        case sgemm
        /// One `cblas_sgemv` per row (reads the weights once per row).
        case sgemv
        /// `numerics_sgemm_nt` (C, AVX2 + FMA): every weight row read once for all rows, no packing;
        /// output columns split across ``Parallel/threadCount`` threads when the product is large enough.
        case kernel
    }

    /// The path for few rows; process-wide, for benchmarks (`bench engine --few-rows`). Default ``FewRowsPath/kernel``.
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
    /// One `cblas_sgemm` (or `fewRows` for at most ``matrixVectorRowLimit`` rows); the bias costs one extra pass
    /// over the output.
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int? = nil,
        into output: UnsafeMutablePointer<Float>, outputStride: Int? = nil, mode: OutputMode = .overwrite,
        fewRows: FewRowsPath = Linear.fewRowsPath
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
        weight.withUnsafeBufferPointer { w in
            if rows <= Self.matrixVectorRowLimit, fewRows == .kernel {
                let inFeatures = inFeatures
                let accumulate: Int32 = beta == 1 ? 1 : 0
                let x = UnsafeSendablePointer(input), y = UnsafeMutableSendablePointer(output)
                let weights = UnsafeSendablePointer(w.baseAddress!)
                // At least ~64k multiply-adds per thread, whole groups of 4 output columns.
                let minimumColumns = max(4, 65_536 / max(1, rows * inFeatures))
                Parallel.forEachChunk(out, minimumChunk: minimumColumns, alignment: 4) { columns in
                    numerics_sgemm_nt(
                        rows, columns.count, inFeatures, x.base, lda, weights.base + columns.lowerBound * inFeatures,
                        inFeatures, y.base + columns.lowerBound, ldc, accumulate)
                }
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
}
