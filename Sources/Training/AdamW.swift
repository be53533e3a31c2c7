import Numerics

/// PyTorch's `AdamW` over the model's ``Parameter``s: each one's moments kept by name, updated by Numerics'
/// ``Numerics/AdamWUpdate``.
public final class AdamW: @unchecked Sendable {
    /// β₁, β₂ and ε of the update (PyTorch's defaults).
    public var update = AdamWUpdate()
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
        let update = self.update
        for p in parameters where p.trainable {
            let rate = lr * p.learningRateScale
            let decay = p.decays ? weightDecay : 0
            // Taken out of the dictionaries so that the in-place update does not copy them.
            var m = firstMoment.removeValue(forKey: p.name) ?? [Float](repeating: 0, count: p.count)
            var v = secondMoment.removeValue(forKey: p.name) ?? [Float](repeating: 0, count: p.count)
            p.value.withUnsafeMutableBufferPointer { w in
                p.grad.withUnsafeBufferPointer { g in
                    m.withUnsafeMutableBufferPointer { mp in
                        v.withUnsafeMutableBufferPointer { vp in
                            update.apply(to: w, gradients: g, first: mp, second: vp, step: step, learningRate: rate,
                                         weightDecay: decay)
                        }
                    }
                }
            }
            firstMoment[p.name] = m
            secondMoment[p.name] = v
        }
    }
}
