/// Element-wise activations used by CLIP's MLPs, named as in Hugging Face `ACT2FN`.
public enum Activation: String, Sendable, CaseIterable, Codable {
    /// `x · sigmoid(1.702 · x)` (OpenAI CLIP).
    case quickGELU = "quick_gelu"
    /// `0.5 · x · (1 + erf(x / √2))`, the exact GELU (`torch.nn.functional.gelu`, HF `"gelu"`).
    case gelu = "gelu"

    /// Applies the activation in place to every element. `O(count)`, SIMD, about 1e-7 absolute error.
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

    @usableFromInline
    func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .quickGELU: VectorKernels.applyQuickGELU(p, p, count)
        case .gelu: VectorKernels.applyGELU(p, p, count)
        }
    }
}
