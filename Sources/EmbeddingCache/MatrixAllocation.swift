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

    /// `nil` when `count` floats (at least one) cannot be allocated: a negative count, a size past the address
    /// space, or not enough memory.
    init?(count: Int) {
        self.count = count
        let hugePage = 1 << 21
        let (bytes, overflow) = max(count, 1).multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard count >= 0, !overflow, bytes <= Int.max - hugePage else { return nil }
        let alignment = bytes >= hugePage ? hugePage : 64
        let rounded = (bytes + alignment - 1) / alignment * alignment
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, alignment, rounded) == 0, let raw else { return nil }
        #if os(Linux)
        if alignment == hugePage { _ = madvise(raw, rounded, MADV_HUGEPAGE) }
        #endif
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { free(pointer) }
}
