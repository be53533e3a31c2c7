/// Layer normalisation over the last dimension, `torch.nn.LayerNorm` (biased variance, affine).
public struct LayerNorm: Sendable {
    /// `[width]` scale (gamma).
    public let weight: Tensor
    /// `[width]` shift (beta).
    public let bias: Tensor
    /// Added to the variance before the square root.
    public let eps: Float

    /// A layer over `weight` and `bias` of equal size `[width]`.
    public init(weight: Tensor, bias: Tensor, eps: Float = 1e-5) {
        precondition(weight.count == bias.count, "LayerNorm weight \(weight.shape) and bias \(bias.shape) differ")
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    /// Normalised width.
    public var width: Int { weight.count }

    /// `[..., width] → [..., width]`, each row normalised independently. `O(count)`, SIMD.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rowWidth == width, "LayerNorm expects width \(width), got \(x.shape)")
        return Tensor(shape: x.shape) { out in
            x.withUnsafeBufferPointer { input in
                apply(input.baseAddress!, rows: x.rowCount, into: out.baseAddress!)
            }
        }
    }

    /// Normalises `rows` rows of `input` into `output` (which may equal `input`), split across threads in chunks of
    /// at least ~8k elements (a 77-token text's rows go to both threads).
    public func apply(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
        let width = self.width
        let source = UnsafeSendablePointer(input), destination = UnsafeMutableSendablePointer(output)
        weight.withUnsafeBufferPointer { g in
            bias.withUnsafeBufferPointer { b in
                let gamma = UnsafeSendablePointer(g.baseAddress!), beta = UnsafeSendablePointer(b.baseAddress!)
                Parallel.forEachChunk(rows, minimumChunk: max(1, 8_192 / max(width, 1))) { range in
                    for r in range {
                        VectorKernels.layerNormRow(
                            source.base + r * width, destination.base + r * width, width,
                            gamma: gamma.base, beta: beta.base, eps: eps)
                    }
                }
            }
        }
    }
}
