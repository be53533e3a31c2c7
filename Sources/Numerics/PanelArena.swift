#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Memory for packed weight panels (``PackedMatrix``, ``PackedHalfMatrix``), which every forward pass streams
/// through front to back.
///
/// Blocks are carved in order out of large regions aligned to 2 MB; each block is page-aligned and a whole number
/// of pages. Only pages a block touches become resident, so a region's unused tail costs address space, not
/// memory; freeing a block gives its pages back to the system (`MADV_DONTNEED`), and a region whose blocks are all
/// freed is unmapped. Panels laid out this way stream with fewer TLB misses than one allocation per matrix, at the
/// same peak memory (docs/PERFORMANCE.md has the figures).
///
/// With ``advisesHugePages`` new regions ask Linux for transparent huge pages (`madvise(MADV_HUGEPAGE)`, honoured
/// when `/sys/kernel/mm/transparent_hugepage/enabled` is `always` or `madvise`): a pass then crosses ~300 huge pages
/// instead of ~150,000 small ones. That is off by default because on virtual machines that report freed memory to
/// their host (`page_reporting`) every fresh huge page is slow to fault in, which makes packing ViT-B/32 about three
/// times slower for a few per cent less time per image afterwards. `bench engine --huge-pages` measures both.
public final class PanelArena: Sendable {
    /// The process-wide arena the packed matrices use.
    public static let shared = PanelArena()

    /// Transparent huge page size on x86-64 and most arm64 kernels.
    static let hugePage = 2 << 20
    /// The system's page size.
    static let page = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))

    private struct Region: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let size: Int
        /// Bytes handed out from the start (the next block starts here).
        var used = 0
        /// Bytes of blocks not yet freed.
        var live = 0

        func contains(_ pointer: UnsafeRawPointer) -> Bool {
            pointer >= UnsafeRawPointer(base) && pointer < UnsafeRawPointer(base) + size
        }
    }

    /// Address space reserved per region (more for a larger block).
    let regionSize: Int
    private let hugePages = Atomic<Bool>(false)
    /// The regions, the one blocks are carved from last.
    private let regions = Mutex<[Region]>([])

    /// Whether regions mapped from now on ask for transparent huge pages (Linux; off by default, see above).
    public var advisesHugePages: Bool {
        get { hugePages.load(ordering: .relaxed) }
        set { hugePages.store(newValue, ordering: .relaxed) }
    }

    /// An arena reserving `regionSize` bytes of address space at a time (rounded up to 2 MB).
    public init(regionSize: Int = 256 << 20) {
        self.regionSize = Self.roundUp(max(regionSize, Self.hugePage), to: Self.hugePage)
    }

    /// A page-aligned block of at least `byteCount` bytes (contents unspecified). Falls back to the allocator when
    /// the system refuses to map a region.
    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Self.roundUp(max(byteCount, 1), to: Self.page)
        let block: UnsafeMutableRawPointer? = regions.withLock { regions in
            if let last = regions.indices.last, regions[last].size - regions[last].used >= size {
                let block = regions[last].base + regions[last].used
                regions[last].used += size
                regions[last].live += size
                return block
            }
            let regionBytes = Self.roundUp(max(regionSize, size), to: Self.hugePage)
            guard let base = Self.mapRegion(regionBytes, hugePages: advisesHugePages) else { return nil }
            regions.append(Region(base: base.pointer, size: base.size, used: size, live: size))
            return base.pointer
        }
        return block ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: Self.page)
    }

    /// Gives back a block from ``allocate(byteCount:)`` with the same `byteCount`.
    public func deallocate(_ block: UnsafeMutableRawPointer, byteCount: Int) {
        let size = Self.roundUp(max(byteCount, 1), to: Self.page)
        let inRegion = regions.withLock { regions in
            guard let index = regions.firstIndex(where: { $0.contains(block) }) else { return false }
            regions[index].live -= size
            if regions[index].live == 0 {
                munmap(regions[index].base, regions[index].size)
                regions.remove(at: index)
            } else {
                #if os(Linux)
                _ = madvise(block, size, MADV_DONTNEED)
                #endif
            }
            return true
        }
        if !inRegion { block.deallocate() }
    }

    /// Regions currently mapped (for tests).
    var regionCount: Int { regions.withLock { $0.count } }

    /// Maps `size` bytes (a multiple of 2 MB) at a 2 MB boundary, advised for huge pages if `hugePages`.
    private static func mapRegion(_ size: Int, hugePages: Bool) -> (pointer: UnsafeMutableRawPointer, size: Int)? {
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        #else
        let flags = MAP_PRIVATE | MAP_ANON
        #endif
        let reserved = size + hugePage
        let mapped = mmap(nil, reserved, PROT_READ | PROT_WRITE, flags, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { return nil }
        // Keep the 2 MB-aligned `size` bytes inside the reservation; give back the rest.
        let start = roundUp(Int(bitPattern: mapped), to: hugePage)
        let head = start - Int(bitPattern: mapped)
        if head > 0 { munmap(mapped, head) }
        if reserved - head - size > 0 { munmap(mapped + head + size, reserved - head - size) }
        let base = mapped + head
        #if os(Linux)
        if hugePages { _ = madvise(base, size, MADV_HUGEPAGE) }
        #else
        _ = hugePages
        #endif
        return (base, size)
    }

    private static func roundUp(_ value: Int, to multiple: Int) -> Int {
        (value + multiple - 1) / multiple * multiple
    }
}
