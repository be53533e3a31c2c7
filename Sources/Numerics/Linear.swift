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
        /// bfloat16 (rounded once, to nearest even): half the memory, float32's range, ~4e-3 relative error per
        /// weight; products round their inputs to bfloat16 too and sum in float32 (`vdpbf16ps` where the CPU has
        /// AVX512_BF16, see ``BFloat16Kernel``). Always in panel layout. Opt-in only (see ``converted(to:)``).
        case bfloat16
    }

    /// The weight as stored.
    enum Storage: Sendable {
        case float32(Tensor)
        case float16(HalfPrecisionMatrix)
        /// Float32 in the product kernel's panel layout (``packed()``).
        case packed(PackedMatrix)
        /// Float16 in the same panel layout (a packed layer converted to ``Precision/float16``).
        case packedFloat16(PackedHalfMatrix)
        /// Float32, row-major until the first kernel product packs it (``packedOnFirstProduct()``).
        case packedOnFirstProduct(PackedOnFirstUse)
        /// bfloat16 panels (``Precision/bfloat16``).
        case packedBFloat16(PackedBFloat16Matrix)
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
    /// widened to float32, or for a ``packed()`` layer its panels back in row order (a new tensor on every access
    /// in those two cases). A ``packedOnFirstProduct()`` layer gives its source while no product has packed it,
    /// afterwards its panels in row order.
    public var weight: Tensor {
        switch storage {
        case .float32(let tensor): tensor
        case .float16(let half): half.floatTensor
        case .packed(let packed): packed.tensor
        case .packedFloat16(let half): half.floatTensor
        case .packedBFloat16(let bf16): bf16.floatTensor
        case .packedOnFirstProduct(let lazy):
            switch lazy.state {
            case .unpacked(let source): source
            case .packed(let packed): packed.tensor
            }
        }
    }

    /// How the weight is stored.
    public var precision: Precision {
        switch storage {
        case .float32, .packed, .packedOnFirstProduct: .float32
        case .float16, .packedFloat16: .float16
        case .packedBFloat16: .bfloat16
        }
    }

    /// Whether the weight is held in the kernel's panel layout (``packed()``) for ``ProductPath/kernel`` products.
    /// A ``packedOnFirstProduct()`` layer counts as packed even before its first product: every kernel product
    /// reads its panels (packing them first if need be).
    public var isPacked: Bool {
        switch storage {
        case .packed, .packedFloat16, .packedOnFirstProduct, .packedBFloat16: true
        case .float32, .float16: false
        }
    }

    /// The same layer with its float32 weight copied once into the panel layout the ``ProductPath/kernel`` path
    /// reads fastest (`numerics_sgemm_packed`: a 6×16 broadcast tile, no packing per call, no horizontal sums).
    /// Same memory as the row-major weight (the output width rounded up to 16); the result no longer refers to the
    /// old weight, so dropping the old layer (and the archive it came from) frees it; a weight borrowed from a
    /// memory-mapped file also has its pages dropped from resident memory at once
    /// (``TensorStorage/releaseResidentPages()``). Float16 and already packed
    /// layers are returned as they are. ``ProductPath/blas`` products on a packed layer unpack the weight on every
    /// call (correct but slow): pack only for the kernel path — see ``preparedForProducts()``.
    /// A ``packedOnFirstProduct()`` layer is packed now (if no product has packed it yet) and shares its panels.
    public func packed() -> Linear {
        let packed: PackedMatrix
        switch storage {
        case .float32(let tensor):
            packed = PackedMatrix(tensor)
            // A weight borrowed from a file mapping: its pages are not needed in memory any more.
            tensor.storage.releaseResidentPages()
        case .packedOnFirstProduct(let lazy):
            packed = lazy.packed()
        case .float16, .packed, .packedFloat16, .packedBFloat16:
            return self
        }
        return Linear(storage: .packed(packed), bias: bias, outFeatures: outFeatures, inFeatures: inFeatures)
    }

    /// The same layer with its float32 weight packed as ``packed()`` packs it, but on its first
    /// ``ProductPath/kernel`` product rather than now (no copy at all until then): loading a model then costs no
    /// packing, and a command that runs one tower pays only for that tower's layers. The first product packs under
    /// a lock (concurrent first products pack once), then the layer drops the source and releases its borrowed
    /// pages; results are bit-identical to ``packed()``'s. Copies of the returned value share the panels.
    /// ``ProductPath/blas`` products read the source directly while it is not packed. Layers that are not
    /// row-major float32 are returned as they are.
    public func packedOnFirstProduct() -> Linear {
        guard case .float32(let tensor) = storage else { return self }
        return Linear(
            storage: .packedOnFirstProduct(PackedOnFirstUse(tensor)), bias: bias, outFeatures: outFeatures,
            inFeatures: inFeatures)
    }

    /// ``packedOnFirstProduct()`` when ``productPath`` is ``ProductPath/kernel`` (the default), otherwise the layer
    /// unchanged: what model loaders call once per layer so that products read the layout their path wants, with
    /// the packing paid by the first product of each layer rather than at load.
    public func preparedForProducts() -> Linear {
        Self.productPath == .kernel ? packedOnFirstProduct() : self
    }

    /// The same layer with its weight stored in `precision` (the bias stays float32). Converting float32 to
    /// float16 rounds every weight once; back to float32 widens exactly. A ``packed()`` layer stays packed; a
    /// ``packedOnFirstProduct()`` layer converted to float16 is packed as half precision at once, straight from its
    /// source if no product has packed it yet (no float32 panels made; the source's borrowed pages are released as
    /// packing would). The result no longer refers to the old weight, so dropping the old layer frees it.
    public func converted(to precision: Precision) -> Linear {
        guard precision != self.precision else { return self }
        let storage: Storage
        switch precision {
        case .float32:
            storage = isPacked ? .packed(PackedMatrix(weight)) : .float32(weight)
        case .float16:
            let source = weight  // a lazy layer's source itself while it is unpacked
            storage = isPacked ? .packedFloat16(PackedHalfMatrix(source)) : .float16(HalfPrecisionMatrix(source))
            if case .packedOnFirstProduct = self.storage { source.storage.releaseResidentPages() }
        case .bfloat16:
            let source = weight
            storage = .packedBFloat16(PackedBFloat16Matrix(source))
            if case .packedOnFirstProduct = self.storage { source.storage.releaseResidentPages() }
        }
        return Linear(storage: storage, bias: bias, outFeatures: outFeatures, inFeatures: inFeatures)
    }

    /// `[..., in] → [..., out]`: one product over every row (all tokens of all batch items) at once, on
    /// ``productPath``.
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
        /// The C kernels (at the calling thread's ``KernelLevel``), output columns split across
        /// ``Parallel/threadCount`` threads. A
        /// packed layer (what the CLIP loaders make, ``preparedForProducts()``) goes through `numerics_sgemm_packed`
        /// (broadcast tiles over weight panels packed once, on the layer's first product); a row-major float32
        /// layer through `numerics_sgemm_nt` (weights read where they lie, 6 input rows against 32 weight rows at a
        /// time) or, from 192 rows on, through
        /// `numerics_sgemm_nt_many_rows` (packs 128 weight rows per call). Results do not depend on the split of
        /// columns; the kernels differ from each other at float rounding level (see ``KernelProduct``).
        case kernel
        /// `cblas_sgemm` (OpenBLAS packs the weights on every call, with its own threads), or ``fewRowsPath`` for
        /// at most ``matrixVectorRowLimit`` rows.
        case blas
    }


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

    /// The paths products take: a value that ``withProducts(_:_:)`` gives the work it runs, never a process-wide
    /// switch (benchmarks compare paths with it: `bench engine --products`, `--few-rows`).
    public struct ProductChoice: Sendable, Equatable {
        /// The path of every product.
        public var path: ProductPath
        /// The path for at most ``Linear/matrixVectorRowLimit`` rows when ``path`` is ``ProductPath/blas``.
        public var fewRows: FewRowsPath

        public init(path: ProductPath = .kernel, fewRows: FewRowsPath = .kernel) {
            self.path = path
            self.fewRows = fewRows
        }
    }

    /// The calling task's (or thread's) choice: ``ProductPath/kernel`` for both unless ``withProducts(_:_:)`` says
    /// otherwise.
    @TaskLocal public static var products = ProductChoice()

    /// ``products``' path.
    public static var productPath: ProductPath { products.path }

    /// ``products``' path for few rows.
    public static var fewRowsPath: FewRowsPath { products.fewRows }

    /// Runs `body` with its products (and the layers it loads, ``preparedForProducts()``) on `choice`. Products
    /// choose their path on the calling thread, so the choice needs no passing to the threads that share the work.
    public static func withProducts<Result>(_ choice: ProductChoice, _ body: () throws -> Result) rethrows -> Result {
        try $products.withValue(choice, operation: body)
    }

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
    /// One product on `path` (``ProductPath/kernel`` by default, and always for ``Precision/float16`` weights);
    /// the bias costs one extra pass over the output.
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int? = nil,
        into output: UnsafeMutablePointer<Float>, outputStride: Int? = nil, mode: OutputMode = .overwrite,
        path: ProductPath = Linear.productPath, fewRows: FewRowsPath = Linear.fewRowsPath
    ) {
        let out = outFeatures
        let ldc = outputStride ?? out
        let lda = inputStride ?? inFeatures
        let useKernel = path == .kernel || (rows <= Self.matrixVectorRowLimit && fewRows == .kernel)
        if path != .kernel, let rowMajor = rowMajorWeight(forKernel: useKernel) {
            Linear(weight: rowMajor, bias: bias).apply(
                input, rows: rows, inputStride: inputStride, into: output, outputStride: outputStride, mode: mode,
                path: path, fewRows: fewRows)
            return
        }
        guard case .float32(let w) = storage, !useKernel else {
            KernelProduct.run([
                kernelProduct(input, rows: rows, inputStride: lda, into: output, outputStride: ldc, mode: mode)
            ])
            return
        }
        let beta: Float = writeBias(rows: rows, into: output, outputStride: ldc, mode: mode) ? 1 : 0
        w.withUnsafeBufferPointer { w in
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

    /// The row-major weight a ``ProductPath/blas`` call on a panel layer reads instead of its panels: a
    /// ``packedOnFirstProduct()`` layer's source while no product has packed it (read as it is, never packed), or
    /// for a packed layer whose product leaves the kernels (`useKernel` false) its panels unpacked for this call;
    /// `nil` when the layer's own storage serves.
    private func rowMajorWeight(forKernel useKernel: Bool) -> Tensor? {
        if case .packedOnFirstProduct(let lazy) = storage, case .unpacked(let source) = lazy.state { return source }
        return isPacked && !useKernel ? weight : nil
    }

    /// `output = act(x·Wᵀ + b)` on raw memory (an MLP's first layer): on the ``ProductPath/kernel`` path each
    /// thread applies the bias and activation to the output columns it has just computed (no second pass, no
    /// second round of threads); on ``ProductPath/blas`` the product, then ``Activation/apply(_:rows:stride:addingBias:)``.
    /// The same values either way up to the product's rounding. The layer must have a bias.
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int? = nil, into output: UnsafeMutablePointer<Float>,
        outputStride: Int? = nil, activation: Activation, path: ProductPath = Linear.productPath
    ) {
        guard let bias else { preconditionFailure("Linear.apply(activation:) needs a layer with a bias") }
        let ldc = outputStride ?? outFeatures
        guard path == .kernel else {
            apply(input, rows: rows, inputStride: inputStride, into: output, outputStride: ldc, mode: .overwriteWithoutBias,
                  path: path)
            activation.apply(output, rows: rows, stride: ldc, addingBias: bias)
            return
        }
        bias.withUnsafeBufferPointer { b in
            var product = kernelProduct(
                input, rows: rows, inputStride: inputStride, into: output, outputStride: ldc, mode: .overwriteWithoutBias)
            product.epilogue = (activation, b.baseAddress!)
            KernelProduct.run([product])
        }
    }

    /// Writes (or adds, for ``OutputMode/accumulate``) the bias to every output row as `mode` asks; returns whether
    /// the product must now be added to the output rather than replace it.
    private func writeBias(rows: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int, mode: OutputMode)
        -> Bool
    {
        guard let bias, mode != .overwriteWithoutBias else { return mode == .accumulate }
        bias.withUnsafeBufferPointer { b in
            for r in 0..<rows {
                let row = output + r * outputStride
                if mode == .accumulate {
                    VectorKernels.add(row, b.baseAddress!, row, outFeatures)
                } else {
                    row.update(from: b.baseAddress!, count: outFeatures)
                }
            }
        }
        return true
    }

    /// The bias written to the output now (as `mode` asks) and the product itself as a ``KernelProduct``, so that
    /// several layers' products (attention's q, k and v) can share one round of threads: ``KernelProduct/run(_:)``.
    /// The layer must outlive the returned value's run. A ``packedOnFirstProduct()`` layer's panels are resolved
    /// (packed on the first call) here, once, before the product is split across threads.
    func kernelProduct(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int? = nil, into output: UnsafeMutablePointer<Float>,
        outputStride: Int? = nil, mode: OutputMode = .overwrite
    ) -> KernelProduct {
        let ldc = outputStride ?? outFeatures
        let accumulate = writeBias(rows: rows, into: output, outputStride: ldc, mode: mode)
        let weights: KernelProduct.Weights =
            switch storage {
            case .float32(let tensor): .float32(UnsafePointer(tensor.storage.pointer))
            case .float16(let half): .float16(UnsafePointer(half.bits))
            case .packed(let packed): .packed(UnsafePointer(packed.panels))
            case .packedFloat16(let half): .packedFloat16(UnsafePointer(half.panels))
            // The input rounded to bfloat16 once here, for every piece of the product.
            case .packedBFloat16(let bf16):
                .packedBFloat16(
                    bf16, BFloat16Rows(input, rows: rows, width: inFeatures, stride: inputStride ?? inFeatures,
                                       kernel: .current))
            // The panels stay alive as long as the layer: its PackedOnFirstUse keeps them once made.
            case .packedOnFirstProduct(let lazy): .packed(UnsafePointer(lazy.packed().panels))
            }
        return KernelProduct(
            input: input, rows: rows, inputStride: inputStride ?? inFeatures, weights: weights,
            outFeatures: outFeatures, inFeatures: inFeatures, output: output, outputStride: ldc,
            accumulate: accumulate)
    }
}
