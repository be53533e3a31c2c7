import Numerics

/// The generator's random choices (uniform doubles, integers in a range, picks, shuffles) over ``SplitMix64``,
/// so a seed always yields the same scenes on every platform and Swift version (the standard library's
/// generators and `random(in:)` make no such promise).
public struct SceneRNG: Sendable {
    private var source: SplitMix64

    /// Starts the sequence at `seed`.
    init(seed: UInt64) {
        source = SplitMix64(seed: seed)
    }

    /// A generator for one item of a larger stream, independent of how many items come before it.
    init(seed: UInt64, stream: UInt64) {
        // Hash seed and stream separately so streams are not shifted copies of one sequence.
        let mix = SplitMix64.mix
        source = SplitMix64(seed: mix(mix(seed ^ 0x5851_F42D_4C95_7F2D) ^ mix(stream &+ 0x2545_F491_4F6C_DD1D)))
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        source.next()
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
