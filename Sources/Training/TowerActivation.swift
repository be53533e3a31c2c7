import Foundation

/// The MLP activations CLIP configs name (`hidden_act`).
public enum TowerActivation: String, Codable, Sendable {
    /// `x · σ(1.702 x)` (OpenAI CLIP).
    case quickGELU = "quick_gelu"
    /// `x · Φ(x)` with the exact error function.
    case gelu

    /// Applies the activation element-wise.
    func forward(_ x: [Float]) -> [Float] {
        var y = x
        y.withUnsafeMutableBufferPointer { p in
            switch self {
            case .quickGELU:
                for i in 0..<p.count { let v = p[i]; p[i] = v / (1 + expf(-1.702 * v)) }
            case .gelu:
                for i in 0..<p.count { let v = p[i]; p[i] = 0.5 * v * (1 + erff(v * 0.70710678118654752)) }
            }
        }
        return y
    }

    /// `dx = dy · f'(x)`.
    func backward(_ dy: [Float], input x: [Float]) -> [Float] {
        var dx = dy
        dx.withUnsafeMutableBufferPointer { d in
            x.withUnsafeBufferPointer { xp in
                switch self {
                case .quickGELU:
                    for i in 0..<d.count {
                        let v = xp[i]
                        let s = 1 / (1 + expf(-1.702 * v))
                        d[i] *= s + 1.702 * v * s * (1 - s)
                    }
                case .gelu:
                    for i in 0..<d.count {
                        let v = xp[i]
                        let cdf = 0.5 * (1 + erff(v * 0.70710678118654752))
                        let pdf = expf(-0.5 * v * v) * 0.3989422804014327
                        d[i] *= cdf + v * pdf
                    }
                }
            }
        }
        return dx
    }
}
