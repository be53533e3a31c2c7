import Numerics
import Testing

/// The one float ↔ 16-bit conversion: every binary16 value round-trips, rounding is to nearest even, and the
/// scalar, bulk and unaligned little-endian paths agree with Swift's `Float16`.
struct HalfFloatConversionTests {
    @Test func halfConversionRoundsToNearestEven() {
        // Every finite half converts to float and back unchanged.
        for bits in UInt16(0)...UInt16.max where (bits & 0x7C00) != 0x7C00 {
            #expect(HalfFloatConversion.half(from: HalfFloatConversion.float(fromHalf: bits)) == bits)
        }
        #expect(HalfFloatConversion.half(from: 1 + 1.0 / 2048) == 0x3C00)  // tie → even
        #expect(HalfFloatConversion.half(from: 1 + 3.0 / 2048) == 0x3C02)  // tie → even (up)
        #expect(HalfFloatConversion.half(from: 70000) == 0x7C00)
        #expect(HalfFloatConversion.half(from: 1e6) == 0x7C00)
        #expect(HalfFloatConversion.half(from: -.infinity) == 0xFC00)
        #expect(HalfFloatConversion.half(from: 1e-9) == 0)
        #expect(HalfFloatConversion.float(fromHalf: HalfFloatConversion.half(from: .nan)).isNaN)
        for value: Float in [0, -0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, 0.333251953125] {
            #expect(HalfFloatConversion.float(fromHalf: HalfFloatConversion.half(from: value)) == value, "\(value)")
        }
    }

    @Test func bfloat16KeepsTheUpperHalfRoundedToNearestEven() {
        #expect(HalfFloatConversion.float(fromBFloat16: HalfFloatConversion.bfloat16(from: 1.5)) == 1.5)
        #expect(HalfFloatConversion.bfloat16(from: Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie → even (down)
        #expect(HalfFloatConversion.bfloat16(from: Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie → even (up)
        #expect(HalfFloatConversion.float(fromBFloat16: HalfFloatConversion.bfloat16(from: .nan)).isNaN)
    }

    @Test func bulkAndUnalignedLittleEndianPathsEqualFloat16() {
        let values: [Float] = (0..<37).map { Float($0) * 0.377 - 6.5 } + [65504, 1e-6, -0.0, 70000]
        let bytes = values.withUnsafeBufferPointer { HalfFloatConversion.narrow(littleEndian: $0, bfloat: false) }
        let expected = values.map { Float16($0).bitPattern }
        #expect(stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 } == expected)
        // Read back from an odd address (the unaligned path) and from an aligned one (the bulk kernel).
        for offset in [0, 1] {
            let shifted = [UInt8](repeating: 0, count: offset) + bytes
            var widened = [Float](repeating: 0, count: values.count)
            shifted.withUnsafeBytes { raw in
                HalfFloatConversion.widen(littleEndian: raw.baseAddress! + offset, count: values.count, bfloat: false, into: &widened)
            }
            #expect(widened == expected.map { Float(Float16(bitPattern: $0)) }, "offset \(offset)")
        }
    }
}
