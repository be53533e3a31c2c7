import Foundation

/// PyTorch's `torch.optim.AdamW` update (decoupled weight decay, bias-corrected moments), written once for every
/// optimiser of the package — the trainer's (`Training.AdamW`, per parameter) and the linear probe's (one flat
/// vector). The same operations in the same order as PyTorch's single-tensor path:
/// `w ← w·(1 − lr·wd)`, `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`,
/// `w ← w − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)`, the bias corrections computed in double precision.
public struct AdamWUpdate: Sendable, Equatable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Update number `step` (1 for the first) of `weights` from `gradients`, with the moments `first` and `second`
    /// (all four the same length) updated in place.
    public func apply(
        to weights: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
        first: UnsafeMutableBufferPointer<Float>, second: UnsafeMutableBufferPointer<Float>,
        step: Int, learningRate: Float, weightDecay: Float
    ) {
        precondition(gradients.count == weights.count && first.count == weights.count && second.count == weights.count,
                     "AdamW: weights, gradients and moments differ in length")
        precondition(step >= 1, "AdamW: steps count from 1")
        let bc1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let bc2 = 1 - Foundation.pow(Double(beta2), Double(step))
        let stepSize = Float(Double(learningRate) / bc1)
        let bc2Sqrt = Float(bc2.squareRoot())
        let decay = 1 - learningRate * weightDecay
        let (b1, b2, e) = (beta1, beta2, epsilon)
        for i in 0..<weights.count {
            if weightDecay != 0 { weights[i] *= decay }
            let g = gradients[i]
            first[i] = b1 * first[i] + (1 - b1) * g
            second[i] = b2 * second[i] + (1 - b2) * g * g
            weights[i] -= stepSize * first[i] / (second[i].squareRoot() / bc2Sqrt + e)
        }
    }
}
