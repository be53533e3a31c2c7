import Numerics
import Foundation

/// Symmetric InfoNCE between L2-normalised image and text embeddings with a learnable logit scale, as
/// the reference's `ContrastiveLoss`: `scale = min(exp(logitScale), 100)`, logits = `scale · îᵀt̂`,
/// loss = ½ (CE(logits, diag) + CE(logitsᵀ, diag)).
public struct ContrastiveLoss {
    /// Largest logit scale (the clamp).
    public static let maxScale: Float = 100

    /// The loss and its gradients for `n` pairs of `dim`-wide embeddings.
    public struct Result {
        public var loss: Float
        public var dImage: [Float]
        public var dText: [Float]
        public var dLogitScale: Float
    }

    /// Computes the loss and gradients. `image`, `text`: `[n, dim]`.
    public static func evaluate(image: [Float], text: [Float], count n: Int, dim: Int, logitScale: Float) -> Result {
        precondition(image.count == n * dim && text.count == n * dim, "contrastive loss: embeddings are not [\(n), \(dim)]")
        let (ih, iNorm) = normalizeRows(image, rows: n, dim: dim)
        let (th, tNorm) = normalizeRows(text, rows: n, dim: dim)
        let rawScale = Foundation.exp(logitScale)
        let scale = min(rawScale, maxScale)
        var cosines = [Float](repeating: 0, count: n * n)
        ih.withUnsafeBufferPointer { a in
            th.withUnsafeBufferPointer { b in
                cosines.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transposeB: true, m: n, n: n, k: dim, a: a.baseAddress!, lda: dim, b: b.baseAddress!, ldb: dim,
                              c: c.baseAddress!, ldc: n)
                }
            }
        }
        // dLogits = ½/n (rowSoftmax − I) + ½/n (colSoftmax − I)
        var dLogits = [Float](repeating: 0, count: n * n)
        var loss: Double = 0
        let half = 0.5 / Double(n)
        // One half of the loss: cross-entropy of each line `a` of the logits (entries at `index(a, b)`), target `a`.
        func addHalf(_ index: (Int, Int) -> Int) {
            for a in 0..<n {
                var m = -Double.infinity
                for b in 0..<n { m = max(m, Double(scale * cosines[index(a, b)])) }
                var sum: Double = 0
                for b in 0..<n { sum += Foundation.exp(Double(scale * cosines[index(a, b)]) - m) }
                let lse = m + Foundation.log(sum)
                loss += half * (lse - Double(scale * cosines[index(a, a)]))
                for b in 0..<n {
                    let p = Foundation.exp(Double(scale * cosines[index(a, b)]) - lse)
                    dLogits[index(a, b)] += Float(half * (p - (a == b ? 1 : 0)))
                }
            }
        }
        addHalf { i, j in i * n + j }  // image → text: rows
        addHalf { j, i in i * n + j }  // text → image: columns
        var dScale: Double = 0
        for k in 0..<(n * n) { dScale += Double(dLogits[k]) * Double(cosines[k]) }
        let dLogitScale = rawScale < maxScale ? Float(dScale) * rawScale : 0
        // d î = scale · dLogits · t̂ ; d t̂ = scale · dLogitsᵀ · î
        var dIh = [Float](repeating: 0, count: n * dim)
        var dTh = [Float](repeating: 0, count: n * dim)
        dLogits.withUnsafeBufferPointer { g in
            th.withUnsafeBufferPointer { b in
                dIh.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(m: n, n: dim, k: n, alpha: scale, a: g.baseAddress!, lda: n, b: b.baseAddress!, ldb: dim,
                              c: c.baseAddress!, ldc: dim)
                }
            }
            ih.withUnsafeBufferPointer { a in
                dTh.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transposeA: true, m: n, n: dim, k: n, alpha: scale, a: g.baseAddress!, lda: n, b: a.baseAddress!,
                              ldb: dim, c: c.baseAddress!, ldc: dim)
                }
            }
        }
        return Result(loss: Float(loss),
                      dImage: normalizeBackward(dIh, normalized: ih, norms: iNorm, dim: dim),
                      dText: normalizeBackward(dTh, normalized: th, norms: tNorm, dim: dim),
                      dLogitScale: dLogitScale)
    }

    /// Rows divided by their L2 norms; returns the normalised rows and the norms.
    static func normalizeRows(_ x: [Float], rows: Int, dim: Int) -> ([Float], [Float]) {
        var out = x
        var norms = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            var s: Float = 0
            for j in 0..<dim { s += x[r * dim + j] * x[r * dim + j] }
            let nrm = s.squareRoot()
            norms[r] = nrm
            let inv = 1 / max(nrm, 1e-12)
            for j in 0..<dim { out[r * dim + j] *= inv }
        }
        return (out, norms)
    }

    /// Gradient through `x̂ = x / ‖x‖`: `dx = (dx̂ − x̂ (x̂·dx̂)) / ‖x‖`.
    static func normalizeBackward(_ dHat: [Float], normalized: [Float], norms: [Float], dim: Int) -> [Float] {
        var dx = dHat
        for r in 0..<norms.count {
            var dot: Float = 0
            for j in 0..<dim { dot += normalized[r * dim + j] * dHat[r * dim + j] }
            let inv = 1 / max(norms[r], 1e-12)
            for j in 0..<dim { dx[r * dim + j] = (dHat[r * dim + j] - normalized[r * dim + j] * dot) * inv }
        }
        return dx
    }
}
