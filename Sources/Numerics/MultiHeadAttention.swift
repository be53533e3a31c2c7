import CNumerics

/// Multi-head self-attention as in Hugging Face `CLIPAttention`: `out_proj(softmax(q·kᵀ/√d + mask) · v)`
/// with `q`, `k`, `v` projections (with bias) split into `heads` heads of width `d = width / heads`.
public struct MultiHeadAttention: Sendable {
    /// `q_proj`, `[width, width]`.
    public let query: Linear
    /// `k_proj`, `[width, width]`.
    public let key: Linear
    /// `v_proj`, `[width, width]`.
    public let value: Linear
    /// `out_proj`, `[width, width]`.
    public let output: Linear
    /// Number of heads; divides `width`.
    public let heads: Int

    /// An attention block over four `[width, width]` projections (no copies).
    public init(query: Linear, key: Linear, value: Linear, output: Linear, heads: Int) {
        let width = query.outFeatures
        for (name, layer) in [("query", query), ("key", key), ("value", value), ("output", output)] {
            precondition(
                layer.inFeatures == width && layer.outFeatures == width,
                "attention \(name) projection is \(layer.weight.shape), expected [\(width), \(width)]")
        }
        precondition(heads > 0 && width % heads == 0, "width \(width) is not divisible by \(heads) heads")
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.heads = heads
    }

    /// Model width.
    public var width: Int { query.outFeatures }

    /// The same attention with its four projections' weights stored in `precision` (see ``Linear/converted(to:)``).
    public func converted(to precision: Linear.Precision) -> MultiHeadAttention {
        MultiHeadAttention(
            query: query.converted(to: precision), key: key.converted(to: precision),
            value: value.converted(to: precision), output: output.converted(to: precision), heads: heads)
    }

    /// Self-attention over every token: `[batch, tokens, width] → [batch, tokens, width]`.
    ///
    /// - Parameter causal: token `i` attends only to tokens `0...i` (CLIP's text tower).
    /// Cost: four `[batch·tokens, width] × [width, width]` products plus `4·batch·tokens²·width` flops.
    public func callAsFunction(_ x: Tensor, causal: Bool = false) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == width, "attention expects [batch, tokens, \(width)], got \(x.shape)")
        return attend(x, positions: nil, causal: causal)
    }

    /// Self-attention evaluated only at one query position per batch item (keys and values still cover
    /// every token): `[batch, tokens, width] → [batch, width]`, equal to rows `positions[b]` of the full result.
    public func callAsFunction(_ x: Tensor, causal: Bool = false, onlyAt positions: [Int]) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == width, "attention expects [batch, tokens, \(width)], got \(x.shape)")
        precondition(positions.count == x.shape[0], "\(positions.count) positions for a batch of \(x.shape[0])")
        precondition(positions.allSatisfy { $0 >= 0 && $0 < x.shape[1] }, "position out of 0..<\(x.shape[1])")
        return attend(x, positions: positions, causal: causal)
    }

    func attend(_ x: Tensor, positions: [Int]?, causal: Bool, path: Linear.ProductPath = Linear.productPath) -> Tensor {
        let batch = x.shape[0], tokens = x.shape[1], width = self.width
        let queryRows = positions == nil ? batch * tokens : batch
        let qkv = TensorStorage(uninitializedCount: batch * tokens * 3 * width)
        let context = TensorStorage(uninitializedCount: queryRows * width)
        x.withUnsafeBufferPointer { input in
            self.context(
                of: input.baseAddress!, batch: batch, tokens: tokens, causal: causal, positions: positions,
                scratch: qkv.pointer, into: context.pointer, path: path)
        }
        let outShape = positions == nil ? [batch, tokens, width] : [batch, width]
        return Tensor(shape: outShape) { out in
            output.apply(context.pointer, rows: queryRows, into: out.baseAddress!, path: path)
        }
    }

    /// Everything before `out_proj` on raw memory: projects `input` (`[batch, tokens, width]`) to q, k, v in
    /// `scratch` (`batch·tokens·3·width` floats) and writes each head's `softmax(q·kᵀ/√d)·v` to `context` —
    /// `[batch, tokens, width]`, or `[batch, width]` when `positions` picks one query token per batch item.
    /// Heads run on ``Parallel/threadCount`` threads (``Parallel/forEachPiece(_:pieceSize:_:)``); products on `path`.
    public func context(
        of input: UnsafePointer<Float>, batch: Int, tokens: Int, causal: Bool, positions: [Int]?,
        scratch qkv: UnsafeMutablePointer<Float>, into context: UnsafeMutablePointer<Float>,
        path: Linear.ProductPath = Linear.productPath
    ) {
        let width = self.width
        let headWidth = width / heads
        let stride = 3 * width
        // q | k | v side by side per token: [batch, tokens, 3·width]; q only where it is needed.
        let queryRows: [Int] = positions.map { $0.enumerated().map { $0.offset * tokens + $0.element } } ?? []
        if path == .kernel {
            // The three projections in one round of threads.
            var products = [
                key.kernelProduct(input, rows: batch * tokens, into: qkv + width, outputStride: stride),
                value.kernelProduct(input, rows: batch * tokens, into: qkv + 2 * width, outputStride: stride),
            ]
            if positions == nil {
                products.append(query.kernelProduct(input, rows: batch * tokens, into: qkv, outputStride: stride))
            } else {
                products += queryRows.map { query.kernelProduct(input + $0 * width, rows: 1, into: qkv + $0 * stride) }
            }
            KernelProduct.run(products)
        } else {
            key.apply(input, rows: batch * tokens, into: qkv + width, outputStride: stride, path: path)
            value.apply(input, rows: batch * tokens, into: qkv + 2 * width, outputStride: stride, path: path)
            if positions == nil {
                query.apply(input, rows: batch * tokens, into: qkv, outputStride: stride, path: path)
            } else {
                for row in queryRows { query.apply(input + row * width, rows: 1, into: qkv + row * stride, path: path) }
            }
        }
        let alpha = 1 / Float(headWidth).squareRoot()
        let heads = self.heads
        let shared = UnsafeSendablePointer(UnsafePointer(qkv)), out = UnsafeMutableSendablePointer(context)
        let scoreCount = (positions == nil ? tokens : 1) * tokens
        let blas = path == .blas
        // (batch item, head) pairs handed to the threads as they come free.
        Parallel.forEachPiece(batch * heads, pieceSize: max(1, 65_536 / max(1, scoreCount * headWidth))) { range in
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: scoreCount)
            // One head's keys in the panel layout of `numerics_sgemm_packed` (kernel path).
            let keyPanels = UnsafeMutablePointer<Float>.allocate(capacity: max(1, numerics_packed_count(tokens, headWidth)))
            defer {
                scores.deallocate()
                keyPanels.deallocate()
            }
            for pair in range {
                let b = pair / heads, h = pair % heads
                let base = shared.base + b * tokens * stride
                let q = base + h * headWidth, k = base + width + h * headWidth, v = base + 2 * width + h * headWidth
                if let positions {
                    // One query row; keys beyond it are masked when causal.
                    let p = positions[b]
                    let keys = causal ? p + 1 : tokens
                    if !blas { numerics_pack_nt(keys, headWidth, k, stride, keyPanels) }
                    Self.scores(q + p * stride, rows: 1, keys: k, count: keys, stride: stride, headWidth: headWidth,
                                alpha: alpha, into: scores, scoreStride: keys, blas: blas, panels: keyPanels)
                    VectorKernels.softmaxRow(scores, keys)
                    Self.weightedValues(scores, rows: 1, keys: keys, scoreStride: keys, values: v, stride: stride,
                                        headWidth: headWidth, into: out.base + b * width + h * headWidth,
                                        outputStride: width, blas: blas)
                } else {
                    // Causal: query rows in blocks of 16, each block against the keys up to its last row only;
                    // the masked scores of later keys are never computed (at 77 tokens 60 % of the full scores).
                    let block = causal ? Self.causalBlock : tokens
                    if !blas { numerics_pack_nt(tokens, headWidth, k, stride, keyPanels) }
                    for first in Swift.stride(from: 0, to: tokens, by: block) {
                        let rows = min(block, tokens - first), keys = causal ? first + rows : tokens
                        let blockScores = scores + first * tokens
                        Self.scores(q + first * stride, rows: rows, keys: k, count: keys, stride: stride,
                                    headWidth: headWidth, alpha: alpha, into: blockScores, scoreStride: tokens,
                                    blas: blas, panels: keyPanels)
                        for i in 0..<rows {
                            let row = blockScores + i * tokens
                            let live = causal ? first + i + 1 : tokens
                            VectorKernels.softmaxRow(row, live)
                            if live < keys { (row + live).update(repeating: 0, count: keys - live) }
                        }
                        Self.weightedValues(blockScores, rows: rows, keys: keys, scoreStride: tokens, values: v,
                                            stride: stride, headWidth: headWidth,
                                            into: out.base + (b * tokens + first) * width + h * headWidth,
                                            outputStride: width, blas: blas)
                    }
                }
            }
        }
    }

    /// Query rows per block of causal attention: one block's scores cover the keys up to its last row.
    static let causalBlock = 16

    /// `scores[i][j] = alpha · q_i · k_j` for `rows` queries and the first `count` keys (rows `stride` apart), into
    /// rows `scoreStride` apart. The kernel path reads the keys from `panels`, packed beforehand by
    /// `numerics_pack_nt` (a prefix of the packed keys is the packing of a prefix of the keys), through
    /// `numerics_sgemm_packed`.
    private static func scores(
        _ q: UnsafePointer<Float>, rows: Int, keys k: UnsafePointer<Float>, count: Int, stride: Int, headWidth: Int,
        alpha: Float, into scores: UnsafeMutablePointer<Float>, scoreStride: Int, blas: Bool,
        panels: UnsafePointer<Float>
    ) {
        if blas {
            BLAS.gemm(
                transposeB: true, m: rows, n: count, k: headWidth, alpha: alpha,
                a: q, lda: stride, b: k, ldb: stride, c: scores, ldc: scoreStride)
        } else {
            numerics_sgemm_packed(rows, count, headWidth, alpha, q, stride, panels, scores, scoreStride, 0)
        }
    }

    /// `out_i = Σ_j p[i][j] · v_j` for `rows` rows of `keys` probabilities (`scoreStride` apart; value rows `stride`
    /// apart).
    private static func weightedValues(
        _ p: UnsafePointer<Float>, rows: Int, keys: Int, scoreStride: Int, values v: UnsafePointer<Float>, stride: Int,
        headWidth: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int, blas: Bool
    ) {
        if blas {
            BLAS.gemm(m: rows, n: headWidth, k: keys, a: p, lda: scoreStride, b: v, ldb: stride, c: out, ldc: outputStride)
        } else {
            numerics_sgemm_nn(rows, headWidth, keys, p, scoreStride, v, stride, out, outputStride)
        }
    }
}
