import Foundation

/// The reference's schedule: `LinearLR(start_factor: 0.001)` over the warm-up steps, then
/// `CosineAnnealingLR` to `floor` over the rest (PyTorch's `SequentialLR`).
public struct LearningRateSchedule: Sendable, Equatable {
    public var baseRate: Float
    public var totalSteps: Int
    public var warmupSteps: Int
    public var floor: Float = 0

    /// Warm-up over `warmupRatio` of `totalSteps` (at least one step).
    public init(baseRate: Float, totalSteps: Int, warmupRatio: Double = 0.1) {
        self.baseRate = baseRate
        self.totalSteps = totalSteps
        self.warmupSteps = max(1, Int(warmupRatio * Double(totalSteps)))
    }

    /// The learning rate of optimiser step `step` (0-based).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps {
            let f = 0.001 + (1 - 0.001) * Double(step) / Double(warmupSteps)
            return Float(Double(baseRate) * f)
        }
        let cosineSteps = max(1, totalSteps - warmupSteps)
        let t = Double(min(step - warmupSteps, cosineSteps))
        return floor + Float(Double(baseRate - floor) * 0.5 * (1 + Foundation.cos(Double.pi * t / Double(cosineSteps))))
    }
}
