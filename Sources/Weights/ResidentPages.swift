#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Dropping resident pages of a private, read-only file mapping.
enum ResidentPages {
    /// `madvise(MADV_DONTNEED)` on the pages wholly inside `start ..< start + byteCount`, clipped to the mapping
    /// `base ..< base + size` (pages shared with neighbouring tensors stay). Safe only for mappings that are never
    /// written: the next read faults the file's bytes in again.
    static func release(_ start: UnsafeRawPointer, byteCount: Int, within base: UnsafeRawPointer, size: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let lower = max(Int(bitPattern: start), Int(bitPattern: base))
        let upper = min(Int(bitPattern: start) + byteCount, Int(bitPattern: base) + size)
        let first = (lower + page - 1) / page * page, end = upper / page * page
        guard end > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, end - first, Int32(MADV_DONTNEED))
    }
}
