/// One `Int32` per item key id (an `item_keys` rowid), `-1` for ids without one.
///
/// Key ids in a sound cache are small, dense integers, so the table is an array indexed by id. Ids come from
/// stored rows and blobs, though: when the largest one is far beyond what the entries need (a damaged row or blob
/// can hold any 64-bit number), the table is a dictionary instead, so no stored number sizes an allocation.
struct KeyIDTable {
    private var dense: [Int32]
    private var sparse: [Int: Int32]
    private let isDense: Bool

    /// A table for `entries` values whose key ids are at most `largestKey`.
    init(entries: Int, largestKey: Int) {
        // Dense while the array is at most about 4 × the entries plus 2^20 (a floor for small caches): key ids
        // count every key ever stored, at every level, so they run ahead of one level's entries. Divided rather
        // than multiplied, so no operand can overflow.
        isDense = largestKey / 4 < entries + (1 << 18)
        dense = isDense ? [Int32](repeating: -1, count: max(largestKey + 1, 0)) : []
        sparse = [:]
    }

    subscript(key: Int) -> Int32 {
        get {
            guard key >= 0 else { return -1 }
            if isDense { return key < dense.count ? dense[key] : -1 }
            return sparse[key] ?? -1
        }
        set {
            guard key >= 0 else { return }
            if isDense {
                if key < dense.count { dense[key] = newValue }
            } else {
                sparse[key] = newValue
            }
        }
    }
}
