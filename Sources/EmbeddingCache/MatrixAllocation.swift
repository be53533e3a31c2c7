#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for a large loaded matrix: 2 MB aligned and, on Linux, advised to use transparent huge pages, so
/// filling 200 MB costs ~100 page faults instead of ~50,000. Freed in `deinit`; hand it to a
/// `TensorStorage(borrowing:count:owner:)` as the owner.
final class MatrixAllocation: @unchecked Sendable {
    // @unchecked Sendable: safe because the allocation is only written by the loader before it is shared.

    /// `count` uninitialised floats.
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        let hugePage = 1 << 21
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let alignment = bytes >= hugePage ? hugePage : 64
        let rounded = (bytes + alignment - 1) / alignment * alignment
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, alignment, rounded) == 0, let raw else {
            fatalError("out of memory allocating a \(bytes)-byte matrix")
        }
        #if os(Linux)
        if alignment == hugePage { _ = madvise(raw, rounded, MADV_HUGEPAGE) }
        #endif
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { free(pointer) }
}
