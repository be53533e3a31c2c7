/// A small least-recently-used cache: reading an entry makes it the newest, storing past `capacity` drops
/// the oldest. For decoded pictures and rendered pictures, a few dozen entries each.
struct LRUCache<Key: Hashable, Value> {
    let capacity: Int
    private var values: [Key: Value] = [:]
    private var order: [Key] = []

    init(capacity: Int) {
        precondition(capacity > 0, "an LRU cache holds at least one entry")
        self.capacity = capacity
    }

    /// The entry for `key`, now the newest, or `nil`. O(capacity).
    mutating func value(for key: Key) -> Value? {
        guard let value = values[key] else { return nil }
        if let i = order.firstIndex(of: key) { order.remove(at: i) }
        order.append(key)
        return value
    }

    /// The entry for `key`, made with `make` and stored when missing.
    mutating func value(for key: Key, orMake make: () throws -> Value) rethrows -> Value {
        if let value = value(for: key) { return value }
        let value = try make()
        store(value, for: key)
        return value
    }

    /// Stores `value` as the newest entry, dropping the oldest beyond capacity.
    mutating func store(_ value: Value, for key: Key) {
        if values.updateValue(value, forKey: key) != nil, let i = order.firstIndex(of: key) { order.remove(at: i) }
        order.append(key)
        if order.count > capacity { values[order.removeFirst()] = nil }
    }
}
