import CNumerics

/// Contiguous `Float` memory behind a ``Tensor``: either owned (64-byte aligned, freed in `deinit`)
/// or borrowed from another object such as a memory-mapped weights file, which it keeps alive.
public final class TensorStorage: @unchecked Sendable {
    /// Start of the elements. Safe to share across threads as long as writers hold the only reference.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of `Float` elements.
    public let count: Int
    /// `true` when the memory belongs to someone else (for example a read-only memory map).
    public let isBorrowed: Bool
    private let owner: AnyObject?

    /// Allocates `count` zeroed elements.
    public init(zeroedCount count: Int) {
        precondition(count >= 0, "negative element count")
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        self.isBorrowed = false
        self.owner = nil
    }

    /// Allocates `count` elements without clearing them; the caller must write every element before reading.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "negative element count")
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        self.isBorrowed = false
        self.owner = nil
    }

    /// Wraps memory owned by `owner`; the storage never writes to or frees it.
    public init(borrowing pointer: UnsafePointer<Float>, count: Int, owner: AnyObject?) {
        self.pointer = UnsafeMutablePointer(mutating: pointer)
        self.count = count
        self.isBorrowed = true
        self.owner = owner
    }

    deinit {
        if !isBorrowed { UnsafeMutableRawPointer(pointer).deallocate() }
    }

    /// A fresh owned copy of the elements.
    public func copy() -> TensorStorage {
        let result = TensorStorage(zeroedCount: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }
}

/// The owner of memory a ``TensorStorage`` borrows (a read-only file mapping) that can give resident pages back to
/// the system: after a model has copied a weight elsewhere (``Linear/packed()``), its source pages need not stay in
/// the process's resident memory.
public protocol ResidentPageReleasing: AnyObject {
    /// Drops the whole pages inside `start ..< start + byteCount` from resident memory. Reading them later must
    /// still give the same bytes (a private read-only file mapping reads them from the file again).
    func releaseResidentPages(_ start: UnsafeRawPointer, byteCount: Int)
}

extension TensorStorage {
    /// Process-wide (glibc): blocks of at least `bytes` are mapped on their own and unmapped when freed. By default
    /// glibc moves that threshold up to the largest block freed so far, after which a model that packs its weights
    /// one by one while dropping the sources (``Linear/packed()``) is served from a heap that cannot shrink: bench
    /// engine measured a peak of 1.23–1.5× the weights instead of 1.11×. For executables to call once at start.
    /// - Returns: whether the setting took effect (`false` where the C library is not glibc).
    @discardableResult
    public static func mapLargeAllocations(from bytes: Int = 1 << 20) -> Bool {
        numerics_map_large_allocations(bytes) == 1
    }

    /// Asks the owner of borrowed memory to drop these elements' pages from resident memory (see
    /// ``ResidentPageReleasing``); does nothing for owned memory or an owner that cannot.
    public func releaseResidentPages() {
        guard isBorrowed, let owner = owner as? ResidentPageReleasing else { return }
        owner.releaseResidentPages(UnsafeRawPointer(pointer), byteCount: count * MemoryLayout<Float>.stride)
    }
}
