/// A small deterministic pseudo-random generator (SceneRNG), so a seed always yields the same scenes
/// on every platform and Swift version (the standard library's generators and `random(in:)` make no such promise).
public struct SceneRNG: Sendable {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    init(seed: UInt64) {
        state = seed
    }

    /// A generator for one item of a larger stream, independent of how many items come before it.
    init(seed: UInt64, stream: UInt64) {
        // Hash seed and stream separately so streams are not shifted copies of one sequence.
        state = Self.mix(Self.mix(seed ^ 0x5851_F42D_4C95_7F2D) ^ Self.mix(stream &+ 0x2545_F491_4F6C_DD1D))
    }

    /// The SplitMix64 output function (a bijection on 64-bit values).
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in `[0, 1)` (53 random bits).
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in `range`.
    mutating func double(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// A uniform integer in `range` (multiply-shift, bias below 2⁻³² for small ranges).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        let high = next().multipliedFullWidth(by: span).high
        return range.lowerBound + Int(high)
    }

    /// `true` with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// A uniformly chosen element; `items` must not be empty.
    mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "pick from an empty list")
        return items[int(0...(items.count - 1))]
    }

    /// `-1` or `+1` with equal odds.
    mutating func sign() -> Double {
        next() & 1 == 0 ? -1 : 1
    }

    /// The items in a random order (Fisher–Yates).
    mutating func shuffled<T>(_ items: [T]) -> [T] {
        var result = items
        if result.count < 2 { return result }
        for i in stride(from: result.count - 1, to: 0, by: -1) {
            result.swapAt(i, int(0...i))
        }
        return result
    }
}
