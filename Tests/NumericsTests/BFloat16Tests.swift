import CNumerics
import Testing

@testable import Numerics

/// bfloat16 weights (``Linear/Precision/bfloat16``): rounding equals PyTorch's bit for bit, every product kernel
/// this CPU runs gives the same bits as the portable one, and those equal a float64 sum of the rounded values to
/// float32 accuracy.
@Suite(.serialized) struct BFloat16Tests {
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(Double(rng.next() >> 11) / Double(1 << 53)) * 2 - 1 }
    }

    static func widen(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    @Test func roundingEqualsPyTorch() {
        let inputs = BFloat16Fixtures.inputs.map { Float(bitPattern: $0) }
        // All at once (the AVX-512 code with a scalar tail, where the CPU has it) and one at a time (scalar).
        var bulk = [UInt16](repeating: 0, count: inputs.count)
        numerics_f32_to_bf16(inputs, &bulk, inputs.count)
        for (i, expected) in BFloat16Fixtures.expected.enumerated() {
            var single: UInt16 = 0
            numerics_f32_to_bf16([inputs[i]], &single, 1)
            let input = String(BFloat16Fixtures.inputs[i], radix: 16)
            #expect(bulk[i] == expected, "0x\(input): \(String(bulk[i], radix: 16)), torch \(String(expected, radix: 16))")
            #expect(single == expected, "0x\(input) alone: \(String(single, radix: 16))")
            var widened: Float = 0
            numerics_bf16_to_f32([expected], &widened, 1)
            #expect(widened.bitPattern == UInt32(expected) << 16)
        }
    }

    /// The activations' layouts: bfloat16 for vdpbf16ps, floats holding the bfloat16 values for the others, both
    /// rounded as the weights are, zero past an odd width.
    @Test(arguments: BFloat16Kernel.allCases.filter(\.runsHere))
    func packedRowsRoundLikeTheWeights(kernel: BFloat16Kernel) {
        let (m, k, lda) = (3, 37, 41)
        let a = Self.values(m * lda, seed: 4).enumerated().map { $0.offset == 5 ? Float.nan : $0.element * 1e3 }
        let pairs = numerics_bf16_pair_length(k)
        var bytes = [UInt8](repeating: 0xAB, count: numerics_bf16_rows_bytes(kernel.rawValue, m, k))
        numerics_bf16_pack_rows(kernel.rawValue, m, k, a, lda, &bytes)
        for i in 0..<m {
            for t in 0..<pairs {
                var expected: UInt16 = 0
                if t < k { numerics_f32_to_bf16([a[i * lda + t]], &expected, 1) }
                let got: UInt16 = bytes.withUnsafeBytes { raw in
                    kernel == .dpbf16
                        ? raw.load(fromByteOffset: 2 * (i * pairs + t), as: UInt16.self)
                        : UInt16(raw.load(fromByteOffset: 4 * (i * pairs + t), as: UInt32.self) >> 16)
                }
                #expect(got == expected, "\(kernel) row \(i) element \(t)")
            }
        }
    }

    @Test func packingRoundTripsTheRoundedWeights() {
        for (n, k) in [(1, 1), (16, 2), (17, 33), (40, 7)] {
            let w = Self.values(n * k, seed: UInt64(n * 100 + k))
            let matrix = PackedBFloat16Matrix(Tensor(shape: [n, k], values: w))
            var rounded = [UInt16](repeating: 0, count: w.count)
            numerics_f32_to_bf16(w, &rounded, w.count)
            #expect(matrix.floatTensor.scalars == rounded.map(Self.widen), "\(n)x\(k)")
        }
    }

    /// Row groups of every size up to 16 and beyond, panels and columns left over, odd k, k over one block
    /// (256 pairs), accumulation: each kernel that runs here equals the portable kernel bit for bit, and the
    /// float64 sum of the rounded values to float32 accuracy.
    @Test(arguments: [(1, 1, 1), (5, 17, 3), (9, 64, 64), (13, 100, 33), (16, 70, 515), (23, 130, 1100), (50, 48, 768)])
    func kernelsAgreeAndMatchTheDefinition(m: Int, n: Int, k: Int) {
        let a = Self.values(m * k, seed: 1), w = Self.values(n * k, seed: 2)
        let panels = PackedBFloat16Matrix(Tensor(shape: [n, k], values: w))
        var ra = [UInt16](repeating: 0, count: a.count), rw = [UInt16](repeating: 0, count: w.count)
        numerics_f32_to_bf16(a, &ra, a.count)
        numerics_f32_to_bf16(w, &rw, w.count)
        let start = Self.values(m * n, seed: 3)
        for accumulate: Int32 in [0, 1] {
            var reference: [Float]?
            for kernel in BFloat16Kernel.allCases where kernel.runsHere {
                var rows = [UInt8](repeating: 0, count: numerics_bf16_rows_bytes(kernel.rawValue, m, k))
                numerics_bf16_pack_rows(kernel.rawValue, m, k, a, k, &rows)
                var c = start
                numerics_sgemm_packed_bf16(kernel.rawValue, m, n, k, rows, panels.panels, &c, n, accumulate)
                if let reference {
                    #expect(c == reference, "\(kernel) vs portable, \(m)x\(n)x\(k) accumulate \(accumulate)")
                } else {
                    reference = c
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum = accumulate == 1 ? Double(start[i * n + j]) : 0
                            var scale = abs(sum)
                            for t in 0..<k {
                                let p = Double(Self.widen(ra[i * k + t])) * Double(Self.widen(rw[j * k + t]))
                                sum += p
                                scale += abs(p)
                            }
                            let error = abs(Double(c[i * n + j]) - sum)
                            #expect(error <= 1e-6 * max(scale, 1e-3), "\(m)x\(n)x\(k) [\(i)][\(j)]: \(c[i * n + j]) vs \(sum)")
                        }
                    }
                }
            }
        }
    }

    /// A bf16 layer through `Linear` (pieces on two threads, bias, activation epilogue, accumulation): the same
    /// bits on every kernel, close to the float32 layer, and packed at half the bytes.
    @Test func linearLayerOnEveryKernel() throws {
        let (rows, width, out) = (37, 96, 80)
        let weight = Tensor(shape: [out, width], values: Self.values(out * width, seed: 5))
        let bias = Tensor(shape: [out], values: Self.values(out, seed: 6))
        let x = Tensor(shape: [rows, width], values: Self.values(rows * width, seed: 7))
        let full = Linear(weight: weight, bias: bias)
        let layer = full.packedOnFirstProduct().converted(to: .bfloat16)
        #expect(layer.precision == .bfloat16 && layer.isPacked)
        #expect(layer.converted(to: .float32).weight.scalars == layer.weight.scalars)
        let expected = full(x)
        var outputs: [[Float]] = []
        Parallel.withThreads(2) {
            for kernel in BFloat16Kernel.allCases where kernel.runsHere {
                BFloat16Kernel.withKernel(kernel) {
                    #expect(BFloat16Kernel.current == kernel)
                    let y = layer(x)
                    #expect(y.maxAbsDifference(expected) < 0.05, "\(kernel)")
                    #expect(y.maxAbsDifference(expected) > 0, "\(kernel): bf16 rounding changes the result")
                    for r in 0..<rows { #expect(y.gatherRows([r]).cosineSimilarity(expected.gatherRows([r])) > 0.9999) }
                    var activated = [Float](repeating: 0, count: rows * out)
                    x.withUnsafeBufferPointer { layer.apply($0.baseAddress!, rows: rows, into: &activated, activation: .gelu) }
                    var accumulated = y.scalars
                    x.withUnsafeBufferPointer { layer.apply($0.baseAddress!, rows: rows, into: &accumulated, mode: .accumulate) }
                    outputs.append(y.scalars + activated + accumulated)
                }
            }
        }
        #expect(outputs.count >= 1 && outputs.allSatisfy { $0 == outputs[0] })
        #expect(BFloat16Kernel.current == BFloat16Kernel.fastest && BFloat16Kernel.fastest.runsHere)
        // The timed choice only ever swaps vdpbf16ps for the widened AVX-512F tiles.
        #expect(BFloat16Kernel.fastest == BFloat16Kernel.reported
                || (BFloat16Kernel.reported == .dpbf16 && BFloat16Kernel.fastest == .avx512))
    }
}
