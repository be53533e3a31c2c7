import CNumerics

/// The package's one conversion between `Float` and the 16-bit float formats of weight files, caches and NumPy
/// arrays: IEEE binary16 through CNumerics' kernels (`numerics_f16_to_f32` / `numerics_f32_to_f16`: F16C when the
/// CPU has it, checked at run time, else portable C; the same kernels the half-precision weights use), and
/// bfloat16 (the upper half of a `Float`).
/// Widening is exact (subnormals, infinities, NaN payloads); narrowing rounds to nearest, ties to even, overflow to
/// infinity.
public enum HalfFloatConversion {
    /// Widens one IEEE binary16 value.
    @inline(__always)
    public static func float(fromHalf h: UInt16) -> Float {
        var value: Float = 0
        withUnsafePointer(to: h) { numerics_f16_to_f32($0, &value, 1) }
        return value
    }

    /// Narrows one `Float` to IEEE binary16.
    @inline(__always)
    public static func half(from f: Float) -> UInt16 {
        var bits: UInt16 = 0
        withUnsafePointer(to: f) { numerics_f32_to_f16($0, &bits, 1) }
        return bits
    }

    /// Widens `count` binary16 values in host order.
    public static func widen(_ source: UnsafePointer<UInt16>, count: Int, into destination: UnsafeMutablePointer<Float>) {
        numerics_f16_to_f32(source, destination, count)
    }

    /// Narrows `count` floats to binary16 in host order.
    public static func narrow(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<UInt16>) {
        numerics_f32_to_f16(source, destination, count)
    }

    /// Widens one bfloat16 value (exact).
    @inline(__always)
    public static func float(fromBFloat16 b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Narrows one `Float` to bfloat16 with round-to-nearest-even (NaN kept quiet).
    @inline(__always)
    public static func bfloat16(from f: Float) -> UInt16 {
        let bits = f.bitPattern
        if f.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(rounded >> 16)
    }

    /// Converts `count` little-endian 16-bit values at `source` (any alignment) into `destination`.
    public static func widen(
        littleEndian source: UnsafeRawPointer, count: Int, bfloat: Bool, into destination: UnsafeMutablePointer<Float>
    ) {
        if bfloat {
            for i in 0..<count {
                destination[i] = float(fromBFloat16: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
            return
        }
        #if _endian(little)
        if Int(bitPattern: source) % MemoryLayout<UInt16>.alignment == 0 {
            widen(source.assumingMemoryBound(to: UInt16.self), count: count, into: destination)
            return
        }
        #endif
        let halves = (0..<count).map { UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        widen(halves, count: count, into: destination)
    }

    /// The little-endian bytes of `values` as binary16 (`bfloat` false) or bfloat16.
    public static func narrow(littleEndian values: UnsafeBufferPointer<Float>, bfloat: Bool) -> [UInt8] {
        var halves = [UInt16](repeating: 0, count: values.count)
        if bfloat {
            for i in values.indices { halves[i] = bfloat16(from: values[i]) }
        } else if let base = values.baseAddress {
            narrow(base, count: values.count, into: &halves)
        }
        #if !_endian(little)
        for i in halves.indices { halves[i] = halves[i].littleEndian }
        #endif
        return halves.withUnsafeBytes { Array($0) }
    }
}
