import Foundation

/// PyTorch's `AdamW` (decoupled weight decay): `p ← p − lr·wd·p`, then the Adam update with bias correction.
public final class AdamW: @unchecked Sendable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var eps: Float = 1e-8
    /// Weight decay for parameters with ``Parameter/decays``.
    public var weightDecay: Float
    /// Number of updates done so far.
    public internal(set) var step: Int = 0
    /// First and second moments by parameter name.
    var firstMoment: [String: [Float]] = [:]
    var secondMoment: [String: [Float]] = [:]

    public init(weightDecay: Float) {
        self.weightDecay = weightDecay
    }

    /// Applies one update with learning rate `lr` to every trainable parameter.
    public func update(_ parameters: [Parameter], learningRate lr: Float) {
        step += 1
        let bc1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let bc2 = 1 - Foundation.pow(Double(beta2), Double(step))
        for p in parameters where p.trainable {
            let rate = lr * p.learningRateScale
            let decay = p.decays ? weightDecay : 0
            // Taken out of the dictionaries so that the in-place update does not copy them.
            var m = firstMoment.removeValue(forKey: p.name) ?? [Float](repeating: 0, count: p.count)
            var v = secondMoment.removeValue(forKey: p.name) ?? [Float](repeating: 0, count: p.count)
            let stepSize = Float(Double(rate) / bc1)
            let bc2Sqrt = Float(bc2.squareRoot())
            let b1 = beta1, b2 = beta2, e = eps
            p.value.withUnsafeMutableBufferPointer { w in
                p.grad.withUnsafeBufferPointer { g in
                    m.withUnsafeMutableBufferPointer { mp in
                        v.withUnsafeMutableBufferPointer { vp in
                            for i in 0..<w.count {
                                if decay != 0 { w[i] *= 1 - rate * decay }
                                mp[i] = b1 * mp[i] + (1 - b1) * g[i]
                                vp[i] = b2 * vp[i] + (1 - b2) * g[i] * g[i]
                                w[i] -= stepSize * mp[i] / (vp[i].squareRoot() / bc2Sqrt + e)
                            }
                        }
                    }
                }
            }
            firstMoment[p.name] = m
            secondMoment[p.name] = v
        }
    }
}
