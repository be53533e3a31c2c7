import Foundation
import Numerics

/// The backward pass of the engine's MLP activations (the forward pass is ``Numerics/Activation``'s own kernel).
extension Activation {
    /// `dx = dy · f'(x)` at the inputs `x` of the forward pass (the engine's ``apply(_:count:)``).
    func gradient(_ dy: [Float], at x: [Float]) -> [Float] {
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
