import CZlib

/// zlib's CRC-32 (IEEE 802.3, the zip and gzip checksum), fed in pieces.
public struct CRC32: Sendable {
    private var state: UInt = 0

    public init() {}

    /// The checksum of everything fed so far.
    public var value: UInt32 { UInt32(truncatingIfNeeded: state) }

    /// Feeds `buffer` (any length: fed to zlib in pieces of at most 1 GiB). Complexity: O(buffer.count).
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard var base = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return }
        var left = buffer.count
        while left > 0 {
            let piece = min(left, 1 << 30)
            state = CZlib.crc32(state, base, uInt(piece))
            base += piece
            left -= piece
        }
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update($0) }
        return crc.value
    }
}

/// gzip (RFC 1952) decompression through zlib.
public enum Gzip {
    /// Why a stream could not be decompressed (zlib's message, or the output limit).
    public struct Failure: Error, Sendable {
        public let reason: String
    }

    /// Decompresses every member of a gzip file, producing at most `limit` bytes.
    /// - Throws: ``Failure`` with zlib's reason, or when the output would pass `limit` (a decompression bomb).
    public static func decompress(_ data: [UInt8], limit: Int = 256 << 20) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try data.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard output.count + produced <= limit else {
                    throw Failure(reason: "decompresses to more than \(limit) bytes")
                }
                output += chunk[0..<produced]
                switch status {
                case Z_OK: continue
                case Z_STREAM_END:
                    // Another member may follow (after zero padding).
                    while stream.avail_in > 0, stream.next_in.pointee == 0 {
                        stream.next_in += 1
                        stream.avail_in -= 1
                    }
                    if stream.avail_in == 0 { return }
                    guard inflateReset(&stream) == Z_OK else { throw Failure(reason: "zlib could not restart") }
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw Failure(reason: "stream is truncated")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw Failure(reason: message)
                }
            }
        }
        return output
    }
}
