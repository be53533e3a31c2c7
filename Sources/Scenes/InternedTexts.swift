import Foundation

/// Texts read from one buffer, each distinct byte sequence made into a `String` once: metadata repeats the same
/// object names, actions, predicates and paths in thousands of records, and sharing one string each saves the
/// conversion, the allocation and the memory. Keys point into the buffer being read, so a table lives only
/// while that buffer does (one ``FastMetadataReader`` pass).
struct InternedTexts {
    private struct Entry {
        var start: UnsafeRawPointer
        var count: Int
        var hash: UInt64
        var text: String
    }

    private var entries: [Entry] = []
    /// Open addressing over `entries` (−1: empty); the size is a power of two at least twice the entry count.
    private var slots: [Int32]

    init() {
        slots = Array(repeating: -1, count: 256)
    }

    /// Number of distinct texts held.
    var count: Int { entries.count }

    /// The text for `bytes`, made by `make` the first time these bytes are met (its error is passed on and
    /// nothing is stored).
    mutating func text<Failure: Error>(
        for bytes: UnsafeRawBufferPointer, make: (UnsafeRawBufferPointer) throws(Failure) -> String
    ) throws(Failure) -> String {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return try make(bytes) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask
        while slots[slot] >= 0 {
            let entry = entries[Int(slots[slot])]
            if entry.hash == hash && entry.count == bytes.count && memcmp(entry.start, base, bytes.count) == 0 {
                return entry.text
            }
            slot = (slot + 1) & mask
        }
        let text = try make(bytes)
        slots[slot] = Int32(entries.count)
        entries.append(Entry(start: base, count: bytes.count, hash: hash, text: text))
        if entries.count * 2 > slots.count { rehash(size: slots.count * 2) }
        return text
    }

    private mutating func rehash(size: Int) {
        slots = Array(repeating: -1, count: size)
        let mask = size - 1
        for (index, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.hash ^ (entry.hash >> 32)) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }
}
