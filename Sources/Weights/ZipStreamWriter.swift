import Foundation
import Zlib

/// Writes a zip file of stored (uncompressed) members one after another, the way PyTorch does:
/// member data aligned to 64 bytes, CRC-32 recorded, ZIP64 records when offsets or sizes need them.
final class ZipStreamWriter {
    private struct Written {
        var name: [UInt8]
        var offset: UInt64
        var size: UInt64
        var crc: UInt32
    }

    private let handle: FileHandle
    private let path: String
    private var offset: UInt64 = 0
    private var written: [Written] = []
    /// Write ZIP64 records even when not needed (tests exercise the reader's ZIP64 path with small files).
    let forceZip64: Bool

    /// Creates (truncating) the file at `url`.
    init(url: URL, forceZip64: Bool = false) throws {
        path = url.path
        self.forceZip64 = forceZip64
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw WeightsError.io(path: url.path, reason: "cannot create file")
        }
        do { handle = try FileHandle(forWritingTo: url) } catch {
            throw WeightsError.io(path: url.path, reason: "cannot open for writing: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    private func emit(_ buffer: UnsafeRawBufferPointer) throws {
        guard buffer.count > 0 else { return }
        do {
            try handle.write(contentsOf: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: buffer.baseAddress!),
                                              count: buffer.count, deallocator: .none))
        } catch {
            throw WeightsError.io(path: path, reason: "write failed: \(error.localizedDescription)")
        }
        offset += UInt64(buffer.count)
    }

    /// Appends one member holding `data`.
    func add(name: String, data: UnsafeRawBufferPointer) throws {
        var crc = CRC32()
        crc.update(data)
        let nameBytes = Array(name.utf8)
        let size = UInt64(data.count)
        let zip64 = forceZip64 || size >= 0xFFFF_FFFF || offset >= 0xFFFF_FFFF
        var header = ZipByteBuffer()
        header.u32(0x0403_4b50)
        header.u16(zip64 ? 45 : 20)
        header.u16(0)  // flags
        header.u16(0)  // stored
        header.u16(0)  // time
        header.u16(0x21)  // date: 1980-01-01
        header.u32(crc.value)
        header.u32(zip64 ? 0xFFFF_FFFF : UInt32(size))
        header.u32(zip64 ? 0xFFFF_FFFF : UInt32(size))
        var extra = ZipByteBuffer()
        if zip64 {
            extra.u16(0x0001)
            extra.u16(16)
            extra.u64(size)
            extra.u64(size)
        }
        // Pad with an extra field so the data starts on a 64-byte boundary (lets readers map f32 in place).
        let before = Int(offset) + 30 + nameBytes.count + extra.bytes.count + 4
        let padding = (64 - before % 64) % 64
        extra.u16(0x4246)  // "FB", as PyTorch writes
        extra.u16(UInt16(padding))
        extra.bytes.append(contentsOf: repeatElement(0x5A, count: padding))
        header.u16(UInt16(nameBytes.count))
        header.u16(UInt16(extra.bytes.count))
        header.bytes.append(contentsOf: nameBytes)
        header.bytes.append(contentsOf: extra.bytes)
        let localOffset = offset
        try emit(header.bytes)
        try emit(data)
        written.append(Written(name: nameBytes, offset: localOffset, size: size, crc: crc.value))
    }

    /// Writes the central directory and closes the file.
    func finish() throws {
        let directoryOffset = offset
        for w in written {
            let bigSize = forceZip64 || w.size >= 0xFFFF_FFFF
            let bigOffset = forceZip64 || w.offset >= 0xFFFF_FFFF
            var extra = ZipByteBuffer()
            if bigSize || bigOffset {
                extra.u16(0x0001)
                extra.u16(UInt16((bigSize ? 16 : 0) + (bigOffset ? 8 : 0)))
                if bigSize {
                    extra.u64(w.size)
                    extra.u64(w.size)
                }
                if bigOffset { extra.u64(w.offset) }
            }
            var record = ZipByteBuffer()
            record.u32(0x0201_4b50)
            record.u16(45)  // made by
            record.u16(bigSize || bigOffset ? 45 : 20)
            record.u16(0)
            record.u16(0)
            record.u16(0)
            record.u16(0x21)
            record.u32(w.crc)
            record.u32(bigSize ? 0xFFFF_FFFF : UInt32(w.size))
            record.u32(bigSize ? 0xFFFF_FFFF : UInt32(w.size))
            record.u16(UInt16(w.name.count))
            record.u16(UInt16(extra.bytes.count))
            record.u16(0)  // comment
            record.u16(0)  // disk
            record.u16(0)  // internal attributes
            record.u32(0)  // external attributes
            record.u32(bigOffset ? 0xFFFF_FFFF : UInt32(w.offset))
            record.bytes.append(contentsOf: w.name)
            record.bytes.append(contentsOf: extra.bytes)
            try emit(record.bytes)
        }
        let directorySize = offset - directoryOffset
        let zip64 = forceZip64 || written.count >= 0xFFFF || directoryOffset >= 0xFFFF_FFFF
            || directorySize >= 0xFFFF_FFFF
        var tail = ZipByteBuffer()
        if zip64 {
            let recordOffset = offset
            tail.u32(0x0606_4b50)
            tail.u64(44)
            tail.u16(45)
            tail.u16(45)
            tail.u32(0)
            tail.u32(0)
            tail.u64(UInt64(written.count))
            tail.u64(UInt64(written.count))
            tail.u64(directorySize)
            tail.u64(directoryOffset)
            tail.u32(0x0706_4b50)
            tail.u32(0)
            tail.u64(recordOffset)
            tail.u32(1)
        }
        tail.u32(0x0605_4b50)
        tail.u16(0)
        tail.u16(0)
        tail.u16(zip64 ? 0xFFFF : UInt16(written.count))
        tail.u16(zip64 ? 0xFFFF : UInt16(written.count))
        tail.u32(zip64 ? 0xFFFF_FFFF : UInt32(directorySize))
        tail.u32(zip64 ? 0xFFFF_FFFF : UInt32(directoryOffset))
        tail.u16(0)
        try emit(tail.bytes)
        do { try handle.close() } catch {
            throw WeightsError.io(path: path, reason: "close failed: \(error.localizedDescription)")
        }
    }
}

/// Little-endian byte accumulation for headers.
struct ZipByteBuffer {
    var bytes: [UInt8] = []
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
}
