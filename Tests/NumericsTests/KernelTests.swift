import Foundation
import Testing

@testable import Numerics

/// Checks every kernel against a plain double-precision loop written from its definition.
@Suite struct KernelTests {
    static func close(_ a: [Float], _ b: [Double], tolerance: Double = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test(arguments: [(1, 1), (1, 7), (3, 8), (2, 9), (3, 33), (5, 768)])
    func linearMatchesDefinition(batch: Int, inFeatures: Int) {
        // 2·3 rows run as matrix-vector products, 5·3 and more as one matrix product.
        let out = 13
        let rowCount = batch * 3
        let x = Tensor.randomNormal(shape: [batch, 3, inFeatures], seed: 1)
        let w = Tensor.randomNormal(shape: [out, inFeatures], seed: 2)
        let b = Tensor.randomNormal(shape: [out], seed: 3)
        let y = Linear(weight: w, bias: b)(x)
        #expect(y.shape == [batch, 3, out])
        var expected: [Double] = []
        for r in 0..<rowCount {
            for o in 0..<out {
                var acc = Double(b[flat: o])
                for i in 0..<inFeatures { acc += Double(x[flat: r * inFeatures + i]) * Double(w[flat: o * inFeatures + i]) }
                expected.append(acc)
            }
        }
        #expect(Self.close(y.scalars, expected, tolerance: 1e-4))
        let noBias = Linear(weight: w, bias: nil)(x)
        let biasRows = (0..<rowCount).flatMap { _ in b.scalars.map(Double.init) }
        #expect(Self.close(noBias.scalars, zip(expected, biasRows).map { $0 - $1 }, tolerance: 1e-4))
    }

    /// Every few-rows path, every output mode, strided input and output, and a product large enough for the
    /// C kernel to split its output columns across threads.
    @Test(arguments: Linear.FewRowsPath.allCases)
    func fewRowPathsMatchDefinition(path: Linear.FewRowsPath) {
        for (rows, inFeatures, out) in [(1, 7, 13), (2, 9, 5), (3, 515, 300), (8, 515, 300), (8, 64, 3)] {
            let (lda, ldc) = (inFeatures + 3, out + 5)
            let x = Tensor.randomNormal(shape: [rows, lda], seed: 21)
            let w = Tensor.randomNormal(shape: [out, inFeatures], seed: 22)
            let b = Tensor.randomNormal(shape: [out], seed: 23)
            let start = Tensor.randomNormal(shape: [rows, ldc], seed: 24)
            let layer = Linear(weight: w, bias: b)
            for mode in [Linear.OutputMode.overwrite, .overwriteWithoutBias, .accumulate] {
                var y = start
                x.withUnsafeBufferPointer { input in
                    y.withUnsafeMutableBufferPointer { output in
                        layer.apply(
                            input.baseAddress!, rows: rows, inputStride: lda, into: output.baseAddress!,
                            outputStride: ldc, mode: mode, path: .blas, fewRows: path)
                    }
                }
                var expected: [Double] = []
                for r in 0..<rows {
                    for o in 0..<ldc {
                        var acc = Double(start[flat: r * ldc + o])
                        if o < out {
                            acc = mode == .accumulate ? acc : 0
                            if mode != .overwriteWithoutBias { acc += Double(b[flat: o]) }
                            for i in 0..<inFeatures {
                                acc += Double(x[flat: r * lda + i]) * Double(w[flat: o * inFeatures + i])
                            }
                        }
                        expected.append(acc)
                    }
                }
                #expect(Self.close(y.scalars, expected, tolerance: 1e-4), "\(path) \(mode) \(rows)x\(inFeatures)→\(out)")
            }
        }
    }

    @Test(arguments: [3, 8, 17, 512])
    func layerNormMatchesDefinition(width: Int) {
        var x = Tensor.randomNormal(shape: [4, width], std: 3, seed: 4)
        x.addRowVector(Tensor(repeating: 5, shape: [width]))
        let g = Tensor.randomNormal(shape: [width], seed: 5)
        let b = Tensor.randomNormal(shape: [width], seed: 6)
        let y = LayerNorm(weight: g, bias: b, eps: 1e-5)(x)
        var expected: [Double] = []
        for r in 0..<4 {
            let row = (0..<width).map { Double(x[flat: r * width + $0]) }
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for i in 0..<width {
                expected.append((row[i] - mean) / (variance + 1e-5).squareRoot() * Double(g[flat: i]) + Double(b[flat: i]))
            }
        }
        #expect(Self.close(y.scalars, expected, tolerance: 1e-5))
    }

    @Test func activationsMatchDefinitions() {
        var values: [Float] = stride(from: -12, through: 12, by: 0.013).map { Float($0) }
        values += [0, -0, 1e-8, -1e-8, 50, -50, 100, -100, 1e4, -1e4]
        let x = Tensor(shape: [values.count], values: values)
        let quick = Activation.quickGELU(x).scalars
        let gelu = Activation.gelu(x).scalars
        for (i, v) in values.enumerated() {
            let d = Double(v)
            let expectedQuick = d / (1 + Foundation.exp(-1.702 * d))
            let expectedGELU = 0.5 * d * (1 + Foundation.erf(d / 2.0.squareRoot()))
            #expect(abs(Double(quick[i]) - expectedQuick) <= 2e-6 * max(1, abs(expectedQuick)), "quick_gelu(\(v))")
            #expect(abs(Double(gelu[i]) - expectedGELU) <= 2e-6 * max(1, abs(expectedGELU)), "gelu(\(v))")
        }
    }

    /// Softmax's exp over the whole range it meets (`x - max` in [-87, 0]): `softmax([0, v])[1]` to 1e-6 relative.
    @Test func softmaxIsAccurateOverTheFloatRange() {
        for v in stride(from: -87.0, through: 0.0, by: 0.0173) {
            var row: [Float] = [0, Float(v)]
            VectorKernels.softmaxRow(&row, 2)
            let e = Foundation.exp(Double(Float(v)))
            #expect(abs(Double(row[1]) - e / (1 + e)) <= 1e-6 * e / (1 + e), "softmax([0, \(v)])")
        }
    }

    @Test(arguments: [1, 5, 8, 50, 77])
    func softmaxMatchesDefinition(width: Int) {
        let x = Tensor.randomNormal(shape: [3, width], std: 4, seed: 7)
        let y = x.softmaxRows()
        var expected: [Double] = []
        for r in 0..<3 {
            let row = (0..<width).map { Double(x[flat: r * width + $0]) }
            let m = row.max()!
            let e = row.map { Foundation.exp($0 - m) }
            let total = e.reduce(0, +)
            expected += e.map { $0 / total }
        }
        #expect(Self.close(y.scalars, expected, tolerance: 1e-6))
    }

    /// Attention written out per head in doubles, with an optional causal mask.
    static func referenceAttention(_ x: Tensor, _ attention: MultiHeadAttention, causal: Bool) -> [Double] {
        let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
        let d = width / attention.heads
        func project(_ layer: Linear) -> [Double] {
            var out: [Double] = []
            for r in 0..<(batch * tokens) {
                for o in 0..<width {
                    var acc = Double(layer.bias![flat: o])
                    for i in 0..<width { acc += Double(x[flat: r * width + i]) * Double(layer.weight[flat: o * width + i]) }
                    out.append(acc)
                }
            }
            return out
        }
        let q = project(attention.query), k = project(attention.key), v = project(attention.value)
        var context = [Double](repeating: 0, count: batch * tokens * width)
        for b in 0..<batch {
            for h in 0..<attention.heads {
                for i in 0..<tokens {
                    let limit = causal ? i + 1 : tokens
                    var scores: [Double] = []
                    for j in 0..<limit {
                        var s = 0.0
                        for c in 0..<d { s += q[(b * tokens + i) * width + h * d + c] * k[(b * tokens + j) * width + h * d + c] }
                        scores.append(s / Double(d).squareRoot())
                    }
                    let m = scores.max()!
                    let e = scores.map { Foundation.exp($0 - m) }
                    let total = e.reduce(0, +)
                    for j in 0..<limit {
                        for c in 0..<d { context[(b * tokens + i) * width + h * d + c] += e[j] / total * v[(b * tokens + j) * width + h * d + c] }
                    }
                }
            }
        }
        var out: [Double] = []
        for r in 0..<(batch * tokens) {
            for o in 0..<width {
                var acc = Double(attention.output.bias![flat: o])
                for i in 0..<width { acc += context[r * width + i] * Double(attention.output.weight[flat: o * width + i]) }
                out.append(acc)
            }
        }
        return out
    }

    static func randomAttention(width: Int, heads: Int, seed: UInt64) -> MultiHeadAttention {
        func layer(_ s: UInt64) -> Linear {
            Linear(
                weight: Tensor.randomNormal(shape: [width, width], std: 0.3, seed: seed &+ s),
                bias: Tensor.randomNormal(shape: [width], std: 0.1, seed: seed &+ s &+ 100))
        }
        return MultiHeadAttention(query: layer(1), key: layer(2), value: layer(3), output: layer(4), heads: heads)
    }

    @Test(arguments: [false, true])
    func attentionMatchesDefinition(causal: Bool) {
        let attention = Self.randomAttention(width: 12, heads: 3, seed: 10)
        let x = Tensor.randomNormal(shape: [2, 5, 12], seed: 11)
        let y = attention(x, causal: causal)
        #expect(y.shape == [2, 5, 12])
        #expect(Self.close(y.scalars, Self.referenceAttention(x, attention, causal: causal), tolerance: 1e-4))
    }

    @Test(arguments: [false, true])
    func attentionAtPositionsEqualsRowsOfFullResult(causal: Bool) {
        let attention = Self.randomAttention(width: 16, heads: 4, seed: 20)
        let x = Tensor.randomNormal(shape: [3, 6, 16], seed: 21)
        let full = attention(x, causal: causal)
        let positions = [0, 5, 2]
        let rows = attention(x, causal: causal, onlyAt: positions)
        #expect(rows.shape == [3, 16])
        let expected = full.gatherRows(positions.enumerated().map { $0.offset * 6 + $0.element })
        #expect(rows.maxAbsDifference(expected) <= 1e-5)
    }

    @Test func vectorHelpers() {
        let a = Tensor(shape: [2, 2], values: [3, 4, 0, 0])
        #expect(a.l2NormalizedRows().scalars == [0.6, 0.8, 0, 0])
        #expect((a + a).scalars == [6, 8, 0, 0])
        #expect(abs(Tensor(shape: [2], values: [1, 0]).cosineSimilarity(Tensor(shape: [2], values: [1, 1])) - 0.70710677) < 1e-6)
        let m = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(m.matmul(Tensor(shape: [3, 1], values: [1, 1, 1])).scalars == [6, 15])
        #expect(m.matmul(Tensor(shape: [1, 3], values: [1, 0, -1]), transposeOther: true).scalars == [-2, -2])
        #expect(m.gatherRows([1, 0]).scalars == [4, 5, 6, 1, 2, 3])
        #expect(Tensor.concatenate([m, m.slice(1..<2)]).shape == [3, 3])
        #expect(Tensor.randomNormal(shape: [5], seed: 3).scalars == Tensor.randomNormal(shape: [5], seed: 3).scalars)
    }

    @Test func threadCountRoundTrips() {
        let before = BLAS.threadCount
        BLAS.threadCount = 1
        #expect(BLAS.threadCount == 1)
        BLAS.threadCount = before
        #expect(BLAS.threadCount == before)
    }
}
