/// Layer normalisation over the last dimension with affine weight and bias (`nn.LayerNorm`),
/// `[rows, width] → [rows, width]`.
final class LayerNormLayer {
    let weight: Parameter
    let bias: Parameter
    let width: Int
    let eps: Float
    private var cachedNormalized: [Float] = []
    private var cachedInvStd: [Float] = []

    init(name: String, width: Int, eps: Float = 1e-5) {
        self.width = width
        self.eps = eps
        weight = Parameter(name: name + ".weight", shape: [width], value: [Float](repeating: 1, count: width), decays: false)
        bias = Parameter(name: name + ".bias", shape: [width], value: [Float](repeating: 0, count: width), decays: false)
    }

    var parameters: [Parameter] { [weight, bias] }

    func forward(_ x: [Float], rows: Int, cache: Bool) -> [Float] {
        precondition(x.count == rows * width, "\(weight.name): input has \(x.count) values, expected \(rows)×\(width)")
        var y = [Float](repeating: 0, count: x.count)
        var normalized = cache ? [Float](repeating: 0, count: x.count) : []
        var invStds = cache ? [Float](repeating: 0, count: rows) : []
        let n = width
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                weight.value.withUnsafeBufferPointer { wp in
                    bias.value.withUnsafeBufferPointer { bp in
                        normalized.withUnsafeMutableBufferPointer { np in
                            for r in 0..<rows {
                                let row = xp.baseAddress! + r * n
                                var mean: Float = 0
                                for j in 0..<n { mean += row[j] }
                                mean /= Float(n)
                                var variance: Float = 0
                                for j in 0..<n { let d = row[j] - mean; variance += d * d }
                                variance /= Float(n)
                                let inv = 1 / (variance + eps).squareRoot()
                                let out = yp.baseAddress! + r * n
                                for j in 0..<n {
                                    let h = (row[j] - mean) * inv
                                    out[j] = h * wp[j] + bp[j]
                                    if cache { np[r * n + j] = h }
                                }
                                if cache { invStds[r] = inv }
                            }
                        }
                    }
                }
            }
        }
        if cache {
            cachedNormalized = normalized
            cachedInvStd = invStds
        }
        return y
    }

    /// Accumulates weight/bias gradients; returns `dx`.
    func backward(_ dy: [Float], needInput: Bool) -> [Float] {
        let rows = cachedInvStd.count
        let n = width
        precondition(dy.count == rows * n, "\(weight.name): backward without matching forward")
        var dx = needInput ? [Float](repeating: 0, count: dy.count) : []
        let trainable = weight.trainable
        dy.withUnsafeBufferPointer { dp in
            cachedNormalized.withUnsafeBufferPointer { hp in
                weight.value.withUnsafeBufferPointer { wp in
                    weight.grad.withUnsafeMutableBufferPointer { wg in
                        bias.grad.withUnsafeMutableBufferPointer { bg in
                            dx.withUnsafeMutableBufferPointer { xp in
                                for r in 0..<rows {
                                    let d = dp.baseAddress! + r * n
                                    let h = hp.baseAddress! + r * n
                                    if trainable {
                                        for j in 0..<n {
                                            wg[j] += d[j] * h[j]
                                            bg[j] += d[j]
                                        }
                                    }
                                    guard needInput else { continue }
                                    var sumG: Float = 0
                                    var sumGH: Float = 0
                                    for j in 0..<n {
                                        let g = d[j] * wp[j]
                                        sumG += g
                                        sumGH += g * h[j]
                                    }
                                    let inv = cachedInvStd[r]
                                    let meanG = sumG / Float(n)
                                    let meanGH = sumGH / Float(n)
                                    let out = xp.baseAddress! + r * n
                                    for j in 0..<n {
                                        out[j] = inv * (d[j] * wp[j] - meanG - h[j] * meanGH)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        cachedNormalized = []
        cachedInvStd = []
        return dx
    }
}
