import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; unmapped when the last tensor borrowing it goes away.
final class SafeTensorsMapping: @unchecked Sendable {
    /// Start of the mapping (`nil` for an empty file).
    let base: UnsafeRawPointer?
    /// File size in bytes.
    let size: Int

    /// Maps `path` read-only (`MAP_PRIVATE`).
    /// - Throws: ``WeightsError/io(path:reason:)`` when the file cannot be opened, measured or mapped.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw WeightsError.io(path: path, reason: "cannot open: \(Self.errnoText())") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw WeightsError.io(path: path, reason: "cannot stat: \(Self.errnoText())")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw WeightsError.io(path: path, reason: "not a regular file")
        }
        size = Int(status.st_size)
        if size == 0 {
            base = nil
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw WeightsError.io(path: path, reason: "cannot map \(size) bytes: \(Self.errnoText())")
        }
        base = UnsafeRawPointer(address)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

extension SafeTensorsMapping: ResidentPageReleasing {
    /// `madvise(MADV_DONTNEED)` on the whole pages of the range: the mapping is private and never written, so a
    /// later read faults the same bytes in from the file again.
    func releaseResidentPages(_ start: UnsafeRawPointer, byteCount: Int) {
        guard let base else { return }
        ResidentPages.release(start, byteCount: byteCount, within: base, size: size)
    }
}
