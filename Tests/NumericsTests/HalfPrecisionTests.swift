import CNumerics
import Testing

@testable import Numerics

/// Half-precision weight storage: conversions equal Swift's `Float16` rounding, and the half-weight kernel equals
/// the float32 kernel run on the widened weights, bit for bit.
@Suite struct HalfPrecisionTests {
    /// Values around every rounding corner: zeros, subnormals, ties, the largest half, overflow, infinities.
    static let corners: [Float] = [
        0, -0, 1, -1, 0.1, -2.5, 65504, 65519.99, 65520, -65520, 1e6, .infinity, -.infinity, 6.1035156e-05,
        6.0e-05, 5.9604645e-08, 2.9802322e-08, 2.9802326e-08, 8.940697e-08, 1e-9, -3e-7, 1.0009766, 1.00048828125,
        1.00146484375, 2049, 2051, 0.33333334, 3.1415927,
    ]

    static func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let unit = Float(Double(rng.next() >> 11) / Double(1 << 53)) * 2 - 1
            return unit * Float(sign: .plus, exponent: Int(rng.next() % 40) - 28, significand: 1)
        }
    }

    @Test func roundingEqualsSwiftFloat16() {
        let values = Self.corners + Self.randomValues(1000, seed: 9)
        // One element at a time (the scalar code) and all at once (the vector code with a scalar tail).
        var bulk = [UInt16](repeating: 0, count: values.count)
        numerics_f32_to_f16(values, &bulk, values.count)
        for (i, v) in values.enumerated() {
            var single: UInt16 = 0
            numerics_f32_to_f16([v], &single, 1)
            let expected = Float16(v).bitPattern
            #expect(single == expected, "\(v): \(String(single, radix: 16)) vs \(String(expected, radix: 16))")
            #expect(bulk[i] == expected, "\(v) in bulk")
            var widened: Float = 0
            numerics_f16_to_f32([expected], &widened, 1)
            #expect(widened.bitPattern == Float(Float16(bitPattern: expected)).bitPattern, "widen \(expected)")
        }
        var nan: UInt16 = 0
        numerics_f32_to_f16([.nan], &nan, 1)
        #expect(Float16(bitPattern: nan).isNaN)
    }

    @Test(arguments: [(1, 1, 1), (6, 2, 8), (7, 33, 100), (13, 5, 1600)])
    func halfKernelEqualsFloatKernelOnWidenedWeights(m: Int, n: Int, k: Int) {
        let a = Self.randomValues(m * k, seed: 1), w = Self.randomValues(n * k, seed: 2)
        var half = [UInt16](repeating: 0, count: n * k)
        numerics_f32_to_f16(w, &half, w.count)
        var widened = [Float](repeating: 0, count: n * k)
        numerics_f16_to_f32(half, &widened, half.count)
        for accumulate: Int32 in [0, 1] {
            var fromHalf = Self.randomValues(m * n, seed: 3), fromFloat = fromHalf
            numerics_sgemm_nt_f16(m, n, k, 0.5, a, k, half, k, &fromHalf, n, accumulate)
            numerics_sgemm_nt(m, n, k, 0.5, a, k, widened, k, &fromFloat, n, accumulate)
            #expect(fromHalf == fromFloat, "\(m)x\(n)x\(k) accumulate \(accumulate)")
        }
    }

    /// Half-precision panels: packing rounds like `numerics_f32_to_f16` (and unpacks exactly), and the packed half
    /// kernel equals the packed float kernel on the widened weights, bit for bit — row groups of every size, panel
    /// edges, k blocks, with and without the next-piece prefetch.
    @Test(arguments: [(1, 1, 1), (6, 17, 8), (7, 33, 100), (13, 5, 1600), (50, 40, 64)])
    func packedHalfKernelEqualsPackedFloatKernelOnWidenedWeights(m: Int, n: Int, k: Int) {
        let a = Self.randomValues(m * k, seed: 11), w = Self.randomValues(n * k, seed: 12)
        var widened = [Float](repeating: 0, count: n * k)
        var rounded = [UInt16](repeating: 0, count: n * k)
        numerics_f32_to_f16(w, &rounded, w.count)
        numerics_f16_to_f32(rounded, &widened, rounded.count)
        let count = numerics_packed_count(n, k)
        var half = [UInt16](repeating: 0xFFFF, count: count)
        numerics_pack_nt_f16(n, k, w, k, &half)
        var packed = [Float](repeating: .nan, count: count)
        numerics_pack_nt(n, k, widened, k, &packed)
        var back = [Float](repeating: .nan, count: n * k)
        numerics_unpack_nt_f16(n, k, half, &back, k)
        #expect(back == widened)
        for accumulate: Int32 in [0, 1] {
            var fromHalf = Self.randomValues(m * n, seed: 13), fromFloat = fromHalf, inPieces = fromHalf
            numerics_sgemm_packed_f16(m, n, k, 0.5, a, k, half, &fromHalf, n, accumulate)
            numerics_sgemm_packed(m, n, k, 0.5, a, k, packed, &fromFloat, n, accumulate)
            #expect(fromHalf == fromFloat, "\(m)x\(n)x\(k) accumulate \(accumulate)")
            let split = min(n, 16)
            half.withUnsafeBufferPointer { h in
                inPieces.withUnsafeMutableBufferPointer { c in
                    numerics_sgemm_packed_f16_prefetching(
                        m, split, k, 0.5, a, k, h.baseAddress!, c.baseAddress!, n, accumulate,
                        split < n ? h.baseAddress! + split * k : nil, n - split)
                    if split < n {
                        numerics_sgemm_packed_f16_prefetching(
                            m, n - split, k, 0.5, a, k, h.baseAddress! + split * k, c.baseAddress! + split, n, accumulate,
                            nil, 0)
                    }
                }
            }
            #expect(inPieces == fromHalf, "\(m)x\(n)x\(k) in two pieces")
        }
    }

    /// A packed layer converted to float16 keeps the panel layout, holds the same rounded weights as a row-major
    /// float16 layer, and computes what the definition gives on them, on both paths.
    @Test func packedHalfPrecisionLinearUsesTheRoundedWeights() {
        let w = Tensor.randomNormal(shape: [70, 40], std: 0.1, seed: 15), b = Tensor.randomNormal(shape: [70], seed: 16)
        let layer = Linear(weight: w, bias: b).packed().converted(to: .float16)
        let rowMajor = Linear(weight: w, bias: b).converted(to: .float16)
        #expect(layer.isPacked && layer.precision == .float16)
        #expect(layer.weight.scalars == rowMajor.weight.scalars)
        #expect(layer.converted(to: .float32).isPacked && layer.converted(to: .float32).weight.scalars == rowMajor.weight.scalars)
        let x = Tensor.randomNormal(shape: [9, 40], seed: 17)
        let rounded = rowMajor.weight
        for path in Linear.ProductPath.allCases {
            var y = Tensor(zeros: [9, 70])
            x.withUnsafeBufferPointer { input in
                y.withUnsafeMutableBufferPointer { layer.apply(input.baseAddress!, rows: 9, into: $0.baseAddress!, path: path) }
            }
            var expected: [Double] = []
            for r in 0..<9 {
                for o in 0..<70 {
                    var acc = Double(b[flat: o])
                    for i in 0..<40 { acc += Double(x[flat: r * 40 + i]) * Double(rounded[flat: o * 40 + i]) }
                    expected.append(acc)
                }
            }
            #expect(KernelTests.close(y.scalars, expected, tolerance: 1e-4), "\(path)")
        }
    }

    @Test func halfPrecisionLinearUsesTheRoundedWeights() {
        let w = Tensor.randomNormal(shape: [70, 40], std: 0.1, seed: 5), b = Tensor.randomNormal(shape: [70], seed: 6)
        let layer = Linear(weight: w, bias: b)
        let half = layer.converted(to: .float16)
        #expect(half.precision == .float16 && half.inFeatures == 40 && half.outFeatures == 70)
        #expect(half.weight.scalars == w.scalars.map { Float(Float16($0)) })
        let x = Tensor.randomNormal(shape: [9, 40], seed: 7)
        // The same kernel over the widened weights: identical results; against float32 weights: close, not equal.
        #expect(half(x).scalars == Linear(weight: half.weight, bias: b)(x).scalars)
        let difference = half(x).maxAbsDifference(layer(x))
        #expect(difference > 0 && difference < 5e-3)
        #expect(half.converted(to: .float32).weight.scalars == half.weight.scalars)
    }
}
