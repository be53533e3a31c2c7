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

    /// A one-line summary, e.g. `loss 3.21 (global 1.02, object 1.10, relation 1.09, distill 0.00)`.
    public var summary: String {
        func f(_ x: Float) -> String { String(format: "%.4f", x) }
        return "loss \(f(total)) (global \(f(contrastive[.global] ?? 0)), object \(f(contrastive[.object] ?? 0)), "
            + "relation \(f(contrastive[.relation] ?? 0)), distill \(f(distillation)))"
    }
}

import Foundation
