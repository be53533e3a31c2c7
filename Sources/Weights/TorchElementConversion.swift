import Numerics

/// Element conversions to `Float32` for PyTorch storages (little-endian on disk).
enum TorchElementConversion {
    /// Reads element `index` of a raw little-endian buffer of type `dtype` as `Float`.
    @inline(__always)
    static func element(_ base: UnsafeRawPointer, _ index: Int, _ dtype: TorchElementType) -> Float {
        switch dtype {
        case .float32: Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
        case .float16: HalfFloatConversion.float(fromHalf: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
        case .bfloat16: HalfFloatConversion.float(fromBFloat16: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
        case .float64: Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))))
        case .int64: Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
        case .int32: Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
        case .int16: Float(Int16(littleEndian: base.loadUnaligned(fromByteOffset: index * 2, as: Int16.self)))
        case .int8: Float(base.load(fromByteOffset: index, as: Int8.self))
        case .uint8, .bool: Float(base.load(fromByteOffset: index, as: UInt8.self))
        }
    }
}
