import Numerics
import Foundation

/// Multi-head self-attention as in Hugging Face's `CLIPAttention` (`q_proj`, `k_proj`, `v_proj`,
/// `out_proj`, queries scaled by `headDim^-0.5`), optionally causal. Activations `[batch·tokens, width]`.
final class AttentionLayer {
    let qProj: LinearLayer
    let kProj: LinearLayer
    let vProj: LinearLayer
    let outProj: LinearLayer
    let width: Int
    let heads: Int
    let causal: Bool
    private var cachedQ: [Float] = []
    private var cachedK: [Float] = []
    private var cachedV: [Float] = []
    private var cachedProbs: [Float] = []
    private var cachedBatch = 0
    private var cachedTokens = 0

    init(name: String, width: Int, heads: Int, layers: Int, causal: Bool, rng: inout TrainingRandom) {
        precondition(width % heads == 0, "\(name): width \(width) is not a multiple of \(heads) heads")
        self.width = width
        self.heads = heads
        self.causal = causal
        let inStd = 1 / Float(width).squareRoot() / Float(2 * layers).squareRoot()
        let outStd = 1 / Float(width).squareRoot()
        qProj = LinearLayer(name: name + ".q_proj", inFeatures: width, outFeatures: width, bias: true, rng: &rng, std: inStd)
        kProj = LinearLayer(name: name + ".k_proj", inFeatures: width, outFeatures: width, bias: true, rng: &rng, std: inStd)
        vProj = LinearLayer(name: name + ".v_proj", inFeatures: width, outFeatures: width, bias: true, rng: &rng, std: inStd)
        outProj = LinearLayer(name: name + ".out_proj", inFeatures: width, outFeatures: width, bias: true, rng: &rng, std: outStd)
    }

    var parameters: [Parameter] { qProj.parameters + kProj.parameters + vProj.parameters + outProj.parameters }

    func forward(_ x: [Float], batch: Int, tokens: Int, cache: Bool) -> [Float] {
        let rows = batch * tokens
        let q = qProj.forward(x, rows: rows, cache: cache)
        let k = kProj.forward(x, rows: rows, cache: cache)
        let v = vProj.forward(x, rows: rows, cache: cache)
        let d = width / heads
        let scale = 1 / Float(d).squareRoot()
        let tt = tokens * tokens
        var probs = [Float](repeating: 0, count: batch * heads * tt)
        var context = [Float](repeating: 0, count: rows * width)
        q.withUnsafeBufferPointer { qp in
            k.withUnsafeBufferPointer { kp in
                v.withUnsafeBufferPointer { vp in
                    probs.withUnsafeMutableBufferPointer { pp in
                        context.withUnsafeMutableBufferPointer { cp in
                            for b in 0..<batch {
                                for h in 0..<heads {
                                    let off = b * tokens * width + h * d
                                    let p = pp.baseAddress! + (b * heads + h) * tt
                                    BLAS.gemm(transposeB: true, m: tokens, n: tokens, k: d, alpha: scale,
                                              a: qp.baseAddress! + off, lda: width, b: kp.baseAddress! + off, ldb: width,
                                              c: p, ldc: tokens)
                                    Self.softmaxRows(p, tokens: tokens, causal: causal)
                                    BLAS.gemm(m: tokens, n: d, k: tokens, a: p, lda: tokens, b: vp.baseAddress! + off,
                                              ldb: width, c: cp.baseAddress! + off, ldc: width)
                                }
                            }
                        }
                    }
                }
            }
        }
        if cache {
            cachedQ = q
            cachedK = k
            cachedV = v
            cachedProbs = probs
            cachedBatch = batch
            cachedTokens = tokens
        }
        return outProj.forward(context, rows: rows, cache: cache)
    }

    /// Row-wise softmax of a `[tokens, tokens]` score block, masking `j > i` when causal.
    static func softmaxRows(_ p: UnsafeMutablePointer<Float>, tokens: Int, causal: Bool) {
        for i in 0..<tokens {
            let row = p + i * tokens
            let limit = causal ? i + 1 : tokens
            var m = -Float.infinity
            for j in 0..<limit { m = max(m, row[j]) }
            var sum: Float = 0
            for j in 0..<limit { let e = expf(row[j] - m); row[j] = e; sum += e }
            let inv = 1 / sum
            for j in 0..<limit { row[j] *= inv }
            for j in limit..<tokens { row[j] = 0 }
        }
    }

    func backward(_ dOut: [Float], needInput: Bool) -> [Float] {
        let batch = cachedBatch, tokens = cachedTokens
        let rows = batch * tokens
        let d = width / heads
        let scale = 1 / Float(d).squareRoot()
        let tt = tokens * tokens
        let dContext = outProj.backward(dOut, needInput: true)
        var dq = [Float](repeating: 0, count: rows * width)
        var dk = [Float](repeating: 0, count: rows * width)
        var dv = [Float](repeating: 0, count: rows * width)
        var dS = [Float](repeating: 0, count: tt)
        cachedQ.withUnsafeBufferPointer { qp in
            cachedK.withUnsafeBufferPointer { kp in
                cachedV.withUnsafeBufferPointer { vp in
                    cachedProbs.withUnsafeBufferPointer { pp in
                        dContext.withUnsafeBufferPointer { dcp in
                            dq.withUnsafeMutableBufferPointer { dqp in
                                dk.withUnsafeMutableBufferPointer { dkp in
                                    dv.withUnsafeMutableBufferPointer { dvp in
                                        dS.withUnsafeMutableBufferPointer { sp in
                                            let s = sp.baseAddress!
                                            for b in 0..<batch {
                                                for h in 0..<heads {
                                                    let off = b * tokens * width + h * d
                                                    let p = pp.baseAddress! + (b * heads + h) * tt
                                                    // dP = dC · Vᵀ
                                                    BLAS.gemm(transposeB: true, m: tokens, n: tokens, k: d,
                                                              a: dcp.baseAddress! + off, lda: width,
                                                              b: vp.baseAddress! + off, ldb: width, c: s, ldc: tokens)
                                                    // dV = Pᵀ · dC
                                                    BLAS.gemm(transposeA: true, m: tokens, n: d, k: tokens, a: p, lda: tokens,
                                                              b: dcp.baseAddress! + off, ldb: width,
                                                              c: dvp.baseAddress! + off, ldc: width)
                                                    // dS = P ⊙ (dP − Σ_j dP·P)
                                                    for i in 0..<tokens {
                                                        let pr = p + i * tokens
                                                        let sr = s + i * tokens
                                                        var dot: Float = 0
                                                        for j in 0..<tokens { dot += pr[j] * sr[j] }
                                                        for j in 0..<tokens { sr[j] = pr[j] * (sr[j] - dot) }
                                                    }
                                                    // dQ = scale · dS · K ; dK = scale · dSᵀ · Q
                                                    BLAS.gemm(m: tokens, n: d, k: tokens, alpha: scale, a: s, lda: tokens,
                                                              b: kp.baseAddress! + off, ldb: width,
                                                              c: dqp.baseAddress! + off, ldc: width)
                                                    BLAS.gemm(transposeA: true, m: tokens, n: d, k: tokens, alpha: scale,
                                                              a: s, lda: tokens, b: qp.baseAddress! + off, ldb: width,
                                                              c: dkp.baseAddress! + off, ldc: width)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        cachedQ = []; cachedK = []; cachedV = []; cachedProbs = []
        var dx = qProj.backward(dq, needInput: needInput)
        let dxk = kProj.backward(dk, needInput: needInput)
        let dxv = vProj.backward(dv, needInput: needInput)
        if needInput { Elementwise.add(&dx, dxk); Elementwise.add(&dx, dxv) }
        return dx
    }
}
