import Foundation
import Numerics

/// The paper's fine-tuning mode ("linear probing"): one `Linear(width, classes)` head trained with
/// cross-entropy and AdamW on frozen embeddings.
public struct LinearProbe: Sendable, Codable, Equatable {
    /// Training settings. Defaults follow the reference (AdamW, weight decay 5e-4, 6 epochs) except the
    /// learning rate, raised from its 1e-5 to 1e-3 because the head starts from scratch on CPU-sized data.
    public struct Settings: Sendable, Codable, Equatable {
        public var epochs = 6
        public var batchSize = 64
        public var learningRate: Float = 1e-3
        public var weightDecay: Float = 5e-4
        public var seed: UInt64 = 42
        public init() {}
    }

    /// Class names, in output order.
    public let classes: [String]
    /// Input width.
    public let width: Int
    /// `[classes, width]`, row-major.
    public private(set) var weight: [Float]
    /// `[classes]`.
    public private(set) var bias: [Float]

    /// A head with the given parameters (`weight`: `[classes, width]` row-major, `bias`: `[classes]`).
    public init(classes: [String], width: Int, weight: [Float], bias: [Float]) {
        precondition(weight.count == classes.count * width && bias.count == classes.count, "head shape mismatch")
        self.classes = classes
        self.width = width
        self.weight = weight
        self.bias = bias
    }

    /// Logits for `embeddings: [n, width]`, returning `[n, classes]`.
    public func logits(_ embeddings: Tensor) -> Tensor {
        precondition(embeddings.rank == 2 && embeddings.shape[1] == width,
                     "expected [n, \(width)], got \(embeddings.shape)")
        let n = embeddings.shape[0], c = classes.count
        var out = Tensor(zeros: [n, c])
        guard n > 0 else { return out }
        out.withUnsafeMutableBufferPointer { po in
            for row in 0..<n { po.baseAddress!.advanced(by: row * c).update(from: bias, count: c) }
            embeddings.withUnsafeBufferPointer { px in
                weight.withUnsafeBufferPointer { pw in
                    BLAS.gemm(transposeA: false, transposeB: true, m: n, n: c, k: width, alpha: 1,
                        a: px.baseAddress, lda: width, b: pw.baseAddress, ldb: width, beta: 1, c: po.baseAddress, ldc: c)
                }
            }
        }
        return out
    }

    /// Trains a head on `embeddings: [n, width]` with integer `labels` (indices into `classes`).
    /// Deterministic for a given seed. `progress` receives (epoch, mean training loss).
    public static func train(
        embeddings: Tensor, labels: [Int], classes: [String], settings: Settings = Settings(),
        progress: ((Int, Float) -> Void)? = nil
    ) -> LinearProbe {
        precondition(embeddings.rank == 2 && embeddings.shape[0] == labels.count, "one label per embedding")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classes.count }, "label out of range")
        let n = labels.count, d = embeddings.shape[1], c = classes.count
        var rng = SplitMix64(seed: settings.seed)
        // PyTorch's nn.Linear initialisation: U(-1/sqrt(d), 1/sqrt(d)) for weight and bias.
        let bound = 1 / Float(d).squareRoot()
        var weight = (0..<(c * d)).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound }
        var bias = (0..<c).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound }
        var optimizer = AdamW(count: c * d + c, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        var order = Array(0..<n)
        let batch = max(1, settings.batchSize)
        var input = [Float](repeating: 0, count: batch * d)
        var gradW = [Float](repeating: 0, count: c * d)
        var gradB = [Float](repeating: 0, count: c)
        var probabilities = [Float](repeating: 0, count: batch * c)

        for epoch in 0..<settings.epochs {
            order.shuffle(using: &rng)
            var lossSum: Float = 0
            var start = 0
            while start < n {
                let rows = min(batch, n - start)
                embeddings.withUnsafeBufferPointer { px in
                    for r in 0..<rows {
                        input.withUnsafeMutableBufferPointer {
                            $0.baseAddress!.advanced(by: r * d).update(from: px.baseAddress! + order[start + r] * d, count: d)
                        }
                    }
                }
                // Forward: probabilities = softmax(input · Wᵀ + b).
                for r in 0..<rows { for j in 0..<c { probabilities[r * c + j] = bias[j] } }
                BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: c, k: d, alpha: 1,
                    a: input, lda: d, b: weight, ldb: d, beta: 1, c: &probabilities, ldc: c)
                for r in 0..<rows {
                    let label = labels[order[start + r]]
                    var maxLogit = -Float.infinity
                    for j in 0..<c { maxLogit = max(maxLogit, probabilities[r * c + j]) }
                    var sum: Float = 0
                    for j in 0..<c {
                        let e = expf(probabilities[r * c + j] - maxLogit)
                        probabilities[r * c + j] = e
                        sum += e
                    }
                    lossSum -= logf(max(probabilities[r * c + label] / sum, .leastNormalMagnitude))
                    // Gradient of the mean loss w.r.t. logits: (p − onehot) / rows.
                    for j in 0..<c {
                        probabilities[r * c + j] = (probabilities[r * c + j] / sum - (j == label ? 1 : 0)) / Float(rows)
                    }
                }
                BLAS.gemm(transposeA: true, transposeB: false, m: c, n: d, k: rows, alpha: 1,
                    a: probabilities, lda: c, b: input, ldb: d, beta: 0, c: &gradW, ldc: d)
                for j in 0..<c {
                    var s: Float = 0
                    for r in 0..<rows { s += probabilities[r * c + j] }
                    gradB[j] = s
                }
                optimizer.step(parameters: &weight, gradients: gradW, offset: 0)
                optimizer.step(parameters: &bias, gradients: gradB, offset: c * d)
                optimizer.finishStep()
                start += rows
            }
            progress?(epoch + 1, lossSum / Float(max(n, 1)))
        }
        return LinearProbe(classes: classes, width: d, weight: weight, bias: bias)
    }
}

/// PyTorch's `torch.optim.AdamW` over one flat parameter vector (the probe's weight and bias at their offsets), by
/// Numerics' ``Numerics/AdamWUpdate``.
struct AdamW {
    let learningRate: Float
    let weightDecay: Float
    private let update = AdamWUpdate()
    private var m: [Float]
    private var v: [Float]
    private var t = 1

    init(count: Int, learningRate: Float, weightDecay: Float) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
    }

    /// Updates `parameters` (stored at `offset` in the optimiser's state) for the current step.
    mutating func step(parameters: inout [Float], gradients: [Float], offset: Int) {
        let (update, t, learningRate, weightDecay) = (update, t, learningRate, weightDecay)
        let range = offset..<(offset + parameters.count)
        parameters.withUnsafeMutableBufferPointer { w in
            gradients.withUnsafeBufferPointer { g in
                m[range].withUnsafeMutableBufferPointer { mp in
                    v[range].withUnsafeMutableBufferPointer { vp in
                        update.apply(to: w, gradients: g, first: mp, second: vp, step: t, learningRate: learningRate,
                                     weightDecay: weightDecay)
                    }
                }
            }
        }
    }

    /// Advances the step counter once every parameter group has been updated.
    mutating func finishStep() { t += 1 }
}
