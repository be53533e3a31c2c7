import ScenarioModel

/// Loss values of one step (or averaged over several).
public struct StepLosses: Sendable, Equatable {
    /// Contrastive loss per level.
    public var contrastive: [Level: Float] = [:]
    /// Sum of the four distillation means (0 without distillation).
    public var distillation: Float = 0

    public init() {}

    /// Contrastive sum plus distillation.
    public var total: Float { contrastive.values.reduce(0, +) + distillation }

    /// A one-line summary, e.g. `loss 3.21 (global 1.02, object 1.10, relation 1.09, distill 0.00)`; levels
    /// without a loss (not trained in this run) are left out.
    public var summary: String {
        func f(_ x: Float) -> String { String(format: "%.4f", x) }
        let parts = Level.allCases.compactMap { level in contrastive[level].map { "\(level.rawValue) \(f($0))" } }
        return "loss \(f(total)) (" + (parts + ["distill \(f(distillation))"]).joined(separator: ", ") + ")"
    }

    /// Adds `other`'s losses to these, level by level.
    public mutating func accumulate(_ other: StepLosses) {
        for (level, value) in other.contrastive { contrastive[level, default: 0] += value }
        distillation += other.distillation
    }

    /// Divides every loss by `count` (to turn a sum of `count` steps into a mean).
    public mutating func divide(by count: Int) {
        for level in contrastive.keys { contrastive[level]! /= Float(count) }
        distillation /= Float(count)
    }
}

import Foundation
