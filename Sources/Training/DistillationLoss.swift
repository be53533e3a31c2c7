import Foundation

/// The reference's teacher→student distillation term over the embedding dimensions:
/// `KL(clamp(softmax(teacher / 0.07), 1e-8, 1) ‖ softmax(student / T_s)) · T_s²`, where PyTorch's
/// `KLDivLoss(reduction: "batchmean")` on a 1-D `[dim]` input divides the sum by `dim`, and
/// `T_s = 1 / clamp(exp(logitScaleS), 1, 100)`.
public struct DistillationLoss {
    /// The teacher's temperature.
    public static let teacherTemperature: Float = 0.07

    /// The student temperature for a learnable log-scale (clamped to `[0.01, 1]`) and `dT/dlogScale`.
    public static func studentTemperature(logScale: Float) -> (value: Float, derivative: Float) {
        let raw = Foundation.exp(logScale)
        let clamped = min(max(raw, 1), 100)
        let t = 1 / clamped
        return (t, (raw > 1 && raw < 100) ? -t : 0)
    }

    /// The teacher distribution `clamp(softmax(t / 0.07), 1e-8, 1)` of one `[dim]` embedding.
    static func teacherProbabilities(_ t: UnsafePointer<Float>, dim: Int) -> [Double] {
        var m = -Double.infinity
        for k in 0..<dim { m = max(m, Double(t[k]) / Double(teacherTemperature)) }
        var p = [Double](repeating: 0, count: dim)
        var s: Double = 0
        for k in 0..<dim { p[k] = Foundation.exp(Double(t[k]) / Double(teacherTemperature) - m); s += p[k] }
        for k in 0..<dim { p[k] = min(max(p[k] / s, 1e-8), 1) }
        return p
    }

    /// One KL term for student `z: [dim]` against teacher probabilities `p`. Adds `weight · dL/dz` into `dz`
    /// and returns the term's value and `dL/dT_s`.
    static func term(student z: UnsafePointer<Float>, teacher p: [Double], dim: Int, temperature ts: Float,
                     weight: Float, dz: UnsafeMutablePointer<Float>) -> (value: Double, dT: Double) {
        let t = Double(ts)
        var m = -Double.infinity
        for k in 0..<dim { m = max(m, Double(z[k]) / t) }
        var s: Double = 0
        for k in 0..<dim { s += Foundation.exp(Double(z[k]) / t - m) }
        let lse = m + Foundation.log(s)
        var a: Double = 0   // Σ p (log p − log q)
        var sumP: Double = 0
        var pz: Double = 0  // Σ p z
        var qz: Double = 0  // Σ q z
        var q = [Double](repeating: 0, count: dim)
        for k in 0..<dim {
            let logq = Double(z[k]) / t - lse
            q[k] = Foundation.exp(logq)
            a += p[k] * (Foundation.log(p[k]) - logq)
            sumP += p[k]
            pz += p[k] * Double(z[k])
            qz += q[k] * Double(z[k])
        }
        let d = Double(dim)
        let value = a / d * t * t
        // dA/dz_k = −(p_k − q_k Σp) / T ; value = A·T²/dim
        let coef = Double(weight) * t * t / d
        for k in 0..<dim { dz[k] += Float(coef * (-(p[k] - q[k] * sumP) / t)) }
        // dA/dT = (Σ p z − Σp · Σ q z) / T²
        let dA = (pz - sumP * qz) / (t * t)
        let dT = 2 * t / d * a + t * t / d * dA
        return (value, dT)
    }
}
