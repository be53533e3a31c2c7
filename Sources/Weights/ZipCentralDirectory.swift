import Foundation

/// One stored (uncompressed) member of a zip file, located inside the file.
public struct ZipEntry: Sendable, Equatable {
    /// Member name as written in the central directory (`archive/data/0`).
    public internal(set) var name: String
    /// Offset of the member's bytes from the start of the file.
    public internal(set) var dataOffset: Int
    /// Number of bytes.
    public internal(set) var size: Int
    /// CRC-32 recorded in the central directory.
    public internal(set) var crc32: UInt32
}

/// A hand-written, bounds-checked reader of a zip file's central directory (ZIP64 included).
///
/// Only what PyTorch's writer produces is accepted: stored (method 0), unencrypted members on one disk.
/// Every offset and length read from the file is checked against the file size before use, and member
/// names that could escape a folder (`..`, absolute paths, backslashes, NUL) are rejected.
public struct ZipCentralDirectory {
    /// The members in central-directory order.
    public let entries: [ZipEntry]

    private static let eocdSignature: UInt32 = 0x0605_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    private static let zip64EOCDSignature: UInt32 = 0x0606_4b50
    private static let centralSignature: UInt32 = 0x0201_4b50
    private static let localSignature: UInt32 = 0x0403_4b50

    /// Reads the central directory of the zip file at `url` (memory-mapped for the read): every entry lies inside
    /// the file, with a unique, safe name.
    /// - Throws: ``WeightsError/io(path:reason:)`` when the file cannot be read,
    ///   ``WeightsError/malformed(source:reason:)`` for the first inconsistency found.
    public init(contentsOf url: URL) throws {
        try self.init(file: TorchFileMapping(url: url))
    }

    /// Reads the central directory of `file`.
    /// - Throws: ``WeightsError/malformed(source:reason:)`` describing the first inconsistency found.
    init(file: TorchFileMapping) throws {
        let source = file.path
        func fail(_ reason: String) -> WeightsError { .malformed(source: source, reason: reason) }

        // 1. End of central directory record: 22 bytes + comment (≤ 65535), searched backwards.
        guard file.size >= 22 else {
            throw fail("not a zip file (only \(file.size) bytes; truncated?)")
        }
        var eocd = -1
        let lowest = max(0, file.size - 22 - 65_535)
        var position = file.size - 22
        while position >= lowest {
            if file.load(UInt32.self, at: position) == Self.eocdSignature {
                eocd = position
                break
            }
            position -= 1
        }
        guard eocd >= 0 else {
            throw fail("not a zip file: no end-of-central-directory record (truncated or not a PyTorch zip checkpoint)")
        }
        var entryCount = Int(file.load(UInt16.self, at: eocd + 10)!)
        var directorySize = Int(file.load(UInt32.self, at: eocd + 12)!)
        var directoryOffset = Int(file.load(UInt32.self, at: eocd + 16)!)
        let diskNumber = file.load(UInt16.self, at: eocd + 4)!
        guard diskNumber == 0 || diskNumber == 0xFFFF else {
            throw fail("multi-disk zip files are not supported")
        }

        // 2. ZIP64: a locator sits 20 bytes before the classic record.
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF,
            eocd >= 20, file.load(UInt32.self, at: eocd - 20) == Self.zip64LocatorSignature
        {
            let recordOffset64 = file.load(UInt64.self, at: eocd - 20 + 8)!
            guard recordOffset64 < UInt64(file.size),
                file.load(UInt32.self, at: Int(recordOffset64)) == Self.zip64EOCDSignature,
                let count64 = file.load(UInt64.self, at: Int(recordOffset64) + 32),
                let size64 = file.load(UInt64.self, at: Int(recordOffset64) + 40),
                let offset64 = file.load(UInt64.self, at: Int(recordOffset64) + 48)
            else {
                throw fail("ZIP64 end-of-central-directory record is missing or truncated")
            }
            guard count64 <= UInt64(file.size), size64 <= UInt64(file.size), offset64 <= UInt64(file.size) else {
                throw fail("ZIP64 directory claims \(count64) entries / \(size64) bytes at \(offset64), beyond the file's \(file.size) bytes")
            }
            entryCount = Int(count64)
            directorySize = Int(size64)
            directoryOffset = Int(offset64)
        }
        guard file.contains(offset: directoryOffset, count: directorySize) else {
            throw fail("central directory (\(directorySize) bytes at offset \(directoryOffset)) lies outside the file's \(file.size) bytes; truncated file?")
        }
        // Each central record has at least 46 bytes: a count larger than that allows is a lie.
        guard entryCount <= directorySize / 46 else {
            throw fail("central directory claims \(entryCount) entries in \(directorySize) bytes")
        }

        // 3. Central directory records.
        var result: [ZipEntry] = []
        result.reserveCapacity(entryCount)
        var seen = Set<String>()
        var cursor = directoryOffset
        let directoryEnd = directoryOffset + directorySize
        for index in 0..<entryCount {
            guard cursor + 46 <= directoryEnd, file.load(UInt32.self, at: cursor) == Self.centralSignature else {
                throw fail("central directory record \(index) is missing or corrupt")
            }
            let flags = file.load(UInt16.self, at: cursor + 8)!
            let method = file.load(UInt16.self, at: cursor + 10)!
            let crc = file.load(UInt32.self, at: cursor + 16)!
            var compressedSize = UInt64(file.load(UInt32.self, at: cursor + 20)!)
            var size = UInt64(file.load(UInt32.self, at: cursor + 24)!)
            let nameLength = Int(file.load(UInt16.self, at: cursor + 28)!)
            let extraLength = Int(file.load(UInt16.self, at: cursor + 30)!)
            let commentLength = Int(file.load(UInt16.self, at: cursor + 32)!)
            var localOffset = UInt64(file.load(UInt32.self, at: cursor + 42)!)
            let recordEnd = cursor + 46 + nameLength + extraLength + commentLength
            guard recordEnd <= directoryEnd, let nameBytes = file.bytes(at: cursor + 46, count: nameLength) else {
                throw fail("central directory record \(index) runs past the directory")
            }
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw fail("zip entry \(index) has a name that is not UTF-8")
            }
            try Self.checkName(name, fail: fail)

            // ZIP64 extended information: the 0xFFFFFFFF fields, in order.
            var extraCursor = cursor + 46 + nameLength
            let extraEnd = extraCursor + extraLength
            while extraCursor + 4 <= extraEnd {
                let id = file.load(UInt16.self, at: extraCursor)!
                let length = Int(file.load(UInt16.self, at: extraCursor + 2)!)
                guard extraCursor + 4 + length <= extraEnd else {
                    throw fail("zip entry '\(name)' has a truncated extra field")
                }
                if id == 0x0001 {
                    var field = extraCursor + 4
                    func next() throws -> UInt64 {
                        guard field + 8 <= extraCursor + 4 + length else {
                            throw fail("zip entry '\(name)' has a short ZIP64 extra field")
                        }
                        defer { field += 8 }
                        return file.load(UInt64.self, at: field)!
                    }
                    if size == 0xFFFF_FFFF { size = try next() }
                    if compressedSize == 0xFFFF_FFFF { compressedSize = try next() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next() }
                }
                extraCursor += 4 + length
            }

            guard flags & 1 == 0 else { throw fail("zip entry '\(name)' is encrypted") }
            guard method == 0 else {
                throw fail("zip entry '\(name)' is compressed (method \(method)); PyTorch checkpoints store entries uncompressed")
            }
            guard compressedSize == size else {
                throw fail("zip entry '\(name)' is stored but its sizes differ (\(compressedSize) vs \(size))")
            }
            guard size <= UInt64(file.size), localOffset < UInt64(file.size) else {
                throw fail("zip entry '\(name)' claims \(size) bytes at offset \(localOffset), beyond the file's \(file.size) bytes")
            }
            // Local header: its own name/extra lengths decide where the data starts.
            let local = Int(localOffset)
            guard file.load(UInt32.self, at: local) == Self.localSignature,
                let localNameLength = file.load(UInt16.self, at: local + 26),
                let localExtraLength = file.load(UInt16.self, at: local + 28)
            else {
                throw fail("zip entry '\(name)' has no local header at offset \(local)")
            }
            let dataOffset = local + 30 + Int(localNameLength) + Int(localExtraLength)
            guard file.contains(offset: dataOffset, count: Int(size)) else {
                throw fail("zip entry '\(name)' (\(size) bytes at offset \(dataOffset)) runs past the end of the file (\(file.size) bytes); truncated file?")
            }
            guard seen.insert(name).inserted else { throw fail("zip entry '\(name)' appears twice") }
            result.append(ZipEntry(name: name, dataOffset: dataOffset, size: Int(size), crc32: crc))
            cursor = recordEnd
        }
        entries = result
    }

    /// Rejects names that could escape the archive's folder when extracted.
    private static func checkName(_ name: String, fail: (String) -> WeightsError) throws {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.isEmpty || name.hasPrefix("/") || name.contains("\\") || name.contains("\0")
            || components.contains(where: { $0 == ".." }) || name.contains(":")
        {
            throw fail("zip entry name '\(name)' is unsafe (path traversal or absolute path)")
        }
    }
}
