import Numerics

/// `y = x · Wᵀ + b` with `W: [out, in]` (PyTorch's `nn.Linear`), activations `[rows, in] → [rows, out]`.
final class LinearLayer {
    let weight: Parameter
    let bias: Parameter?
    let inFeatures: Int
    let outFeatures: Int
    /// The input of the last training forward pass, kept for the weight gradient.
    private var cachedInput: [Float] = []
    private var cachedRows = 0

    init(name: String, inFeatures: Int, outFeatures: Int, bias: Bool, rng: inout TrainingRandom,
         std: Float? = nil) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let s = std ?? (1 / Float(inFeatures).squareRoot())
        weight = Parameter(name: name + ".weight", shape: [outFeatures, inFeatures],
                           value: rng.normals(count: outFeatures * inFeatures, std: s), decays: true)
        self.bias = bias ? Parameter(name: name + ".bias", shape: [outFeatures],
                                     value: [Float](repeating: 0, count: outFeatures), decays: false) : nil
    }

    var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    /// Forward pass for `rows` rows; caches the input when `cache` is set.
    func forward(_ x: [Float], rows: Int, cache: Bool) -> [Float] {
        precondition(x.count == rows * inFeatures, "\(weight.name): input has \(x.count) values, expected \(rows)×\(inFeatures)")
        var y = [Float](repeating: 0, count: rows * outFeatures)
        if let bias {
            y.withUnsafeMutableBufferPointer { yp in
                bias.value.withUnsafeBufferPointer { bp in
                    for r in 0..<rows { (yp.baseAddress! + r * outFeatures).update(from: bp.baseAddress!, count: outFeatures) }
                }
            }
        }
        x.withUnsafeBufferPointer { xp in
            weight.value.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    BLAS.gemm(transposeB: true, m: rows, n: outFeatures, k: inFeatures, a: xp.baseAddress!, lda: inFeatures,
                              b: wp.baseAddress!, ldb: inFeatures, beta: bias == nil ? 0 : 1, c: yp.baseAddress!, ldc: outFeatures)
                }
            }
        }
        if cache {
            cachedInput = x
            cachedRows = rows
        }
        return y
    }

    /// Accumulates weight/bias gradients from `dy: [rows, out]`; returns `dx: [rows, in]` when `needInput`.
    func backward(_ dy: [Float], needInput: Bool) -> [Float] {
        let rows = cachedRows
        precondition(dy.count == rows * outFeatures, "\(weight.name): backward without matching forward")
        if weight.trainable {
            dy.withUnsafeBufferPointer { dp in
                cachedInput.withUnsafeBufferPointer { xp in
                    weight.grad.withUnsafeMutableBufferPointer { gp in
                        BLAS.gemm(transposeA: true, m: outFeatures, n: inFeatures, k: rows, a: dp.baseAddress!, lda: outFeatures,
                                  b: xp.baseAddress!, ldb: inFeatures, beta: 1, c: gp.baseAddress!, ldc: inFeatures)
                    }
                }
            }
        }
        if let bias, bias.trainable {
            dy.withUnsafeBufferPointer { dp in
                bias.grad.withUnsafeMutableBufferPointer { gp in
                    for r in 0..<rows {
                        let row = dp.baseAddress! + r * outFeatures
                        for j in 0..<outFeatures { gp[j] += row[j] }
                    }
                }
            }
        }
        cachedInput = []
        guard needInput else { return [] }
        var dx = [Float](repeating: 0, count: rows * inFeatures)
        dy.withUnsafeBufferPointer { dp in
            weight.value.withUnsafeBufferPointer { wp in
                dx.withUnsafeMutableBufferPointer { xp in
                    BLAS.gemm(m: rows, n: inFeatures, k: outFeatures, a: dp.baseAddress!, lda: outFeatures,
                              b: wp.baseAddress!, ldb: inFeatures, c: xp.baseAddress!, ldc: inFeatures)
                }
            }
        }
        return dx
    }
}
