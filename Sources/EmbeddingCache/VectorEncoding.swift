import Foundation
import Numerics

/// How vectors are stored in the cache's blobs (chosen when the database is created, recorded in its
/// `schema_info` table). Both are little-endian.
public enum VectorEncoding: String, Sendable, CaseIterable, Codable {
    /// IEEE half precision: 2 bytes per value, relative error ≤ 2⁻¹¹ (enough for cosine ranking).
    case f16
    /// IEEE single precision: 4 bytes per value, exact.
    case f32

    /// Bytes per stored value.
    public var bytesPerValue: Int { self == .f16 ? 2 : 4 }

    /// The blob for `values`.
    public func encode(_ values: UnsafeBufferPointer<Float>) -> Data {
        var data = Data(count: values.count * bytesPerValue)
        data.withUnsafeMutableBytes { raw in
            switch self {
            case .f16:
                raw.copyBytes(from: HalfFloatConversion.narrow(littleEndian: values, bfloat: false))
            case .f32:
                for (i, value) in values.enumerated() {
                    raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                }
            }
        }
        return data
    }

    /// The blob for `values`.
    public func encode(_ values: [Float]) -> Data {
        values.withUnsafeBufferPointer { encode($0) }
    }

    /// Decodes `blob` into `width` floats at `destination`; `false` when the blob has the wrong size.
    /// O(width); f16 through ``Numerics/HalfFloatConversion`` (the CPU's F16C conversion when it has one), f32 is a
    /// copy on little-endian hosts.
    @discardableResult
    public func decode(_ blob: UnsafeRawBufferPointer, width: Int, into destination: UnsafeMutablePointer<Float>) -> Bool {
        guard blob.count == width * bytesPerValue else { return false }
        guard width > 0 else { return true }
        switch self {
        case .f16:
            HalfFloatConversion.widen(littleEndian: blob.baseAddress!, count: width, bfloat: false, into: destination)
        case .f32:
            #if _endian(little)
            UnsafeMutableRawPointer(destination).copyMemory(from: blob.baseAddress!, byteCount: 4 * width)
            #else
            for i in 0..<width {
                destination[i] = Float(bitPattern: UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
            #endif
        }
        return true
    }

    /// Decodes a whole blob, or `nil` when its size is not a multiple of the value size.
    public func decode(_ blob: Data) -> [Float]? {
        guard blob.count % bytesPerValue == 0 else { return nil }
        let width = blob.count / bytesPerValue
        var result = [Float](repeating: 0, count: width)
        let ok = blob.withUnsafeBytes { raw in
            result.withUnsafeMutableBufferPointer { decode(raw, width: width, into: $0.baseAddress!) }
        }
        return ok ? result : nil
    }
}
