/// Element conversions to `Float32` for PyTorch storages (little-endian on disk).
enum TorchElementConversion {
    /// IEEE half → single (exact; subnormals, infinities and NaN kept).
    @inline(__always)
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal: value = mantissa · 2^-24.
            let magnitude = Float(mantissa) * Float(bitPattern: 0x3380_0000)  // 2^-24
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Single → IEEE half, rounding to nearest even (overflow → ±infinity).
    @inline(__always)
    static func floatToHalf(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0)
        }
        let e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            if e < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - e)
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(truncatingIfNeeded: half)
    }

    /// Single → bfloat16, rounding to nearest even (NaN kept quiet).
    @inline(__always)
    static func floatToBFloat16(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        if f.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(rounded >> 16)
    }

    /// bfloat16 → single (exact).
    @inline(__always)
    static func bfloat16ToFloat(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// Reads element `index` of a raw little-endian buffer of type `dtype` as `Float`.
    @inline(__always)
    static func element(_ base: UnsafeRawPointer, _ index: Int, _ dtype: TorchElementType) -> Float {
        switch dtype {
        case .float32: Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
        case .float16: halfToFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
        case .bfloat16: bfloat16ToFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
        case .float64: Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))))
        case .int64: Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
        case .int32: Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
        case .int16: Float(Int16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: Int16.self)))
        case .int8: Float(base.load(fromByteOffset: index, as: Int8.self))
        case .uint8, .bool: Float(base.load(fromByteOffset: index, as: UInt8.self))
        }
    }
}
