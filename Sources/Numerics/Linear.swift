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
        weight.withUnsafeBufferPointer { w in
            if path == .kernel || (rows <= Self.matrixVectorRowLimit && fewRows == .kernel) {
                Self.kernelProduct(
                    input, rows: rows, inputStride: lda, weights: w.baseAddress!, outFeatures: out,
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

    /// `output[r] (+)= input[r] · weightsᵀ` through `numerics_sgemm_nt`, output columns split across
    /// ``Parallel/threadCount`` threads (whole blocks of 32 columns, at least ~64k multiply-adds per thread).
    static func kernelProduct(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int, weights: UnsafePointer<Float>, outFeatures: Int,
        inFeatures: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int, accumulate: Bool
    ) {
        let x = UnsafeSendablePointer(input), y = UnsafeMutableSendablePointer(output)
        let w = UnsafeSendablePointer(weights)
        let flag: Int32 = accumulate ? 1 : 0
        let minimumColumns = max(2, 65_536 / max(1, rows * inFeatures))
        let alignment = outFeatures >= 64 * Parallel.effectiveThreadCount ? 32 : 2
        Parallel.forEachChunk(outFeatures, minimumChunk: minimumColumns, alignment: alignment) { columns in
            numerics_sgemm_nt(
                rows, columns.count, inFeatures, 1, x.base, inputStride, w.base + columns.lowerBound * inFeatures,
                inFeatures, y.base + columns.lowerBound, outputStride, flag)
        }
    }
}
