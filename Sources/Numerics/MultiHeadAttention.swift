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

    private func attend(_ x: Tensor, positions: [Int]?, causal: Bool) -> Tensor {
        let batch = x.shape[0], tokens = x.shape[1], width = self.width
        let headWidth = width / heads
        let stride = 3 * width
        let queryRows = positions == nil ? batch * tokens : batch
        // q | k | v side by side per token: [batch, tokens, 3·width]; q only where it is needed.
        let qkv = TensorStorage(uninitializedCount: batch * tokens * stride)
        let context = TensorStorage(uninitializedCount: queryRows * width)
        let scores = TensorStorage(uninitializedCount: max(1, (positions == nil ? tokens : 1) * tokens))
        x.withUnsafeBufferPointer { input in
            let xp = input.baseAddress!
            key.apply(xp, rows: batch * tokens, into: qkv.pointer + width, outputStride: stride)
            value.apply(xp, rows: batch * tokens, into: qkv.pointer + 2 * width, outputStride: stride)
            if let positions {
                for b in 0..<batch {
                    let row = b * tokens + positions[b]
                    query.apply(xp + row * width, rows: 1, into: qkv.pointer + row * stride)
                }
            } else {
                query.apply(xp, rows: batch * tokens, into: qkv.pointer, outputStride: stride)
            }
        }
        let alpha = 1 / Float(headWidth).squareRoot()
        let s = scores.pointer
        for b in 0..<batch {
            let base = UnsafePointer(qkv.pointer + b * tokens * stride)
            for h in 0..<heads {
                let q = base + h * headWidth, k = base + width + h * headWidth, v = base + 2 * width + h * headWidth
                if let positions {
                    // One query row; keys beyond it are masked when causal.
                    let p = positions[b]
                    let keys = causal ? p + 1 : tokens
                    BLAS.gemm(
                        transposeB: true, m: 1, n: keys, k: headWidth, alpha: alpha,
                        a: q + p * stride, lda: stride, b: k, ldb: stride, c: s, ldc: keys)
                    VectorKernels.softmaxRow(s, keys)
                    BLAS.gemm(
                        m: 1, n: headWidth, k: keys, a: s, lda: keys, b: v, ldb: stride,
                        c: context.pointer + b * width + h * headWidth, ldc: width)
                } else {
                    BLAS.gemm(
                        transposeB: true, m: tokens, n: tokens, k: headWidth, alpha: alpha,
                        a: q, lda: stride, b: k, ldb: stride, c: s, ldc: tokens)
                    for i in 0..<tokens {
                        let row = s + i * tokens
                        let keys = causal ? i + 1 : tokens
                        VectorKernels.softmaxRow(row, keys)
                        if keys < tokens { (row + keys).update(repeating: 0, count: tokens - keys) }
                    }
                    BLAS.gemm(
                        m: tokens, n: headWidth, k: tokens, a: s, lda: tokens, b: v, ldb: stride,
                        c: context.pointer + b * tokens * width + h * headWidth, ldc: width)
                }
            }
        }
        let outShape = positions == nil ? [batch, tokens, width] : [batch, width]
        return Tensor(shape: outShape) { out in
            output.apply(context.pointer, rows: queryRows, into: out.baseAddress!)
        }
    }
}
