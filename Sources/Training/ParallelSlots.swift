import Foundation

/// Results written by `DispatchQueue.concurrentPerform` iterations, one slot per iteration.
/// Safe because each iteration writes only its own slot and reads happen after the loop returns.
final class ParallelSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    subscript(i: Int) -> T {
        get { storage[i]! }
        set { storage[i] = newValue }
    }

    /// Runs `body` for `0..<count` on up to `count` threads when `parallel`, else in order.
    static func run(_ count: Int, parallel: Bool, _ body: (Int) -> T) -> ParallelSlots<T> {
        let slots = ParallelSlots<T>(count: count)
        if parallel && count > 1 {
            withoutActuallyEscaping(body) { b in
                let box = UncheckedBox(b)
                DispatchQueue.concurrentPerform(iterations: count) { i in slots[i] = box.value(i) }
            }
        } else {
            for i in 0..<count { slots[i] = body(i) }
        }
        return slots
    }
}

/// Carries a non-Sendable value into a concurrent loop whose iterations touch disjoint state.
struct UncheckedBox<V>: @unchecked Sendable {
    let value: V
    init(_ value: V) { self.value = value }
}
