/// Bit-exact conversions between `Float32` and the 16-bit formats stored in weight files (IEEE binary16,
/// bfloat16), written with integer operations so they work on every platform.
enum HalfFloatConversion {
    /// Widens one IEEE binary16 value (exact, including subnormals, infinities and NaN).
    @inline(__always)
    static func float(fromHalf h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F {  // infinity / NaN
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent != 0 {  // normal: re-bias 15 → 127
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
        // zero or subnormal: mantissa · 2^-24, exact in Float32
        let magnitude = Float(mantissa) * (1.0 / 16_777_216.0)
        return sign == 0 ? magnitude : -magnitude
    }

    /// Narrows one `Float` to IEEE binary16 with round-to-nearest-even (overflow → infinity, NaN kept).
    @inline(__always)
    static func half(from f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0) }
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {
            // normal half: keep 10 mantissa bits, round the 13 dropped bits to nearest even
            var value = UInt32(unbiased + 15) << 10 | (mantissa >> 13)
            let rest = mantissa & 0x1FFF
            if rest > 0x1000 || (rest == 0x1000 && (value & 1) == 1) { value += 1 }  // may carry into exponent/inf
            return sign | UInt16(value)
        }
        if unbiased < -25 { return sign }  // below half the smallest subnormal
        // subnormal half: (1.mantissa) · 2^unbiased in units of 2^-24
        let full = mantissa | 0x80_0000
        let shift = UInt32(-unbiased - 1)  // full · 2^(unbiased - 23) in units of 2^-24
        var value = full >> shift
        let rest = full & ((1 << shift) - 1)
        let halfway = UInt32(1) << (shift - 1)
        if rest > halfway || (rest == halfway && (value & 1) == 1) { value += 1 }
        return sign | UInt16(value)
    }

    /// Widens one bfloat16 value (the upper half of a Float32).
    @inline(__always)
    static func float(fromBFloat16 b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Narrows one `Float` to bfloat16 with round-to-nearest-even (NaN kept quiet).
    @inline(__always)
    static func bfloat16(from f: Float) -> UInt16 {
        let bits = f.bitPattern
        if f.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(rounded >> 16)
    }

    /// Converts `count` little-endian 16-bit values at `source` (any alignment) into `destination`.
    static func widen(
        _ source: UnsafeRawPointer, count: Int, bfloat: Bool, into destination: UnsafeMutablePointer<Float>
    ) {
        if bfloat {
            for i in 0..<count {
                destination[i] = float(fromBFloat16: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        } else {
            for i in 0..<count {
                destination[i] = float(fromHalf: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        }
    }
}
