import Numerics
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only memory map of a whole file; tensors borrowing from it keep it alive.
///
/// Every read goes through ``bytes(at:count:)`` or ``load(_:at:)``, which check the range against the
/// file size, so a length taken from the file can never read outside the mapping.
final class TorchFileMapping: @unchecked Sendable {
    /// Start of the mapped bytes (safe because the mapping is read-only and never changes after `init`).
    let base: UnsafeRawPointer
    /// File size in bytes.
    let size: Int
    /// The path, for error messages.
    let path: String

    /// Maps `url` read-only.
    /// - Throws: ``WeightsError/io(path:reason:)`` when the file cannot be opened or mapped.
    init(url: URL) throws {
        path = url.path
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else {
            throw WeightsError.io(path: url.path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw WeightsError.io(path: url.path, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        size = Int(st.st_size)
        if size == 0 {
            // mmap of zero bytes fails; keep a valid dummy pointer instead.
            base = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64))
            return
        }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw WeightsError.io(path: url.path, reason: "cannot memory-map: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if size == 0 {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
        }
    }

    /// `true` when `offset ..< offset + count` lies inside the file.
    func contains(offset: Int, count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= size && count <= size - offset
    }

    /// A little-endian integer at `offset`, or `nil` when it would read past the end.
    func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T? {
        guard contains(offset: offset, count: MemoryLayout<T>.size) else { return nil }
        return T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// The bytes at `offset ..< offset + count`, or `nil` when the range leaves the file.
    func bytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer? {
        guard contains(offset: offset, count: count) else { return nil }
        return UnsafeRawBufferPointer(start: base + offset, count: count)
    }
}

extension TorchFileMapping: ResidentPageReleasing {
    /// `madvise(MADV_DONTNEED)` on the whole pages of the range (see ``SafeTensorsMapping``).
    func releaseResidentPages(_ start: UnsafeRawPointer, byteCount: Int) {
        guard size > 0 else { return }
        ResidentPages.release(start, byteCount: byteCount, within: base, size: size)
    }
}
