/// Element-wise activations used by CLIP's MLPs, named as in Hugging Face `ACT2FN`.
public enum Activation: String, Sendable, CaseIterable, Codable {
    /// `x · sigmoid(1.702 · x)` (OpenAI CLIP).
    case quickGELU = "quick_gelu"
    /// `0.5 · x · (1 + erf(x / √2))`, the exact GELU (`torch.nn.functional.gelu`, HF `"gelu"`).
    case gelu = "gelu"

    /// Applies the activation in place to every element. `O(count)`, in C at the ``KernelLevel`` (`numerics_activation`), about 1e-7
    /// absolute error.
    public func apply(_ x: inout Tensor) {
        x.withUnsafeMutableBufferPointer { p in
            apply(p.baseAddress!, count: p.count)
        }
    }

    /// The activation of every element (`[...] → [...]`).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var result = x
        apply(&result)
        return result
    }

    /// In place on raw memory, split across ``Parallel/threadCount`` threads.
    public func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let pointer = UnsafeMutableSendablePointer(p)
        Parallel.forEachChunk(count, minimumChunk: 131_072, alignment: 8) { range in
            let start = pointer.base + range.lowerBound
            switch self {
            case .quickGELU: VectorKernels.applyQuickGELU(start, range.count)
            case .gelu: VectorKernels.applyGELU(start, range.count)
            }
        }
    }

    /// `x = act(x + bias)` in place over `rows` rows of `bias`'s width, `stride` elements apart (default: the
    /// width) — a linear layer's bias fused with its activation — split across ``Parallel/threadCount`` threads.
    public func apply(_ p: UnsafeMutablePointer<Float>, rows: Int, stride: Int? = nil, addingBias bias: Tensor) {
        let width = bias.count
        let stride = stride ?? width
        let pointer = UnsafeMutableSendablePointer(p)
        bias.withUnsafeBufferPointer { b in
            let biasPointer = UnsafeSendablePointer(b.baseAddress!)
            Parallel.forEachChunk(rows, minimumChunk: max(1, 131_072 / max(width, 1))) { range in
                for r in range {
                    let row = pointer.base + r * stride
                    switch self {
                    case .quickGELU: VectorKernels.applyQuickGELU(row, width, bias: biasPointer.base)
                    case .gelu: VectorKernels.applyGELU(row, width, bias: biasPointer.base)
                    }
                }
            }
        }
    }
}
