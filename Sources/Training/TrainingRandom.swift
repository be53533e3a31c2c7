import Foundation
import Numerics

/// A seeded, reproducible random source (xoshiro256**), whose state is saved with checkpoints.
public struct TrainingRandom: RandomNumberGenerator, Sendable, Equatable {
    /// The four state words (saved in checkpoints to resume exactly).
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the generator with the first four outputs of ``Numerics/SplitMix64`` seeded with `seed`.
    public init(seed: UInt64) {
        var seeding = SplitMix64(seed: seed)
        state = (seeding.next(), seeding.next(), seeding.next(), seeding.next())
    }

    /// Restores a saved state.
    public init(words: [UInt64]) {
        precondition(words.count == 4, "a generator state has four words")
        state = (words[0], words[1], words[2], words[3])
    }

    /// The state as four words.
    public var words: [UInt64] { [state.0, state.1, state.2, state.3] }

    public static func == (a: TrainingRandom, b: TrainingRandom) -> Bool { a.words == b.words }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = (state.3 << 45) | (state.3 >> 19)
        return result
    }

    /// Uniform in `[0, 1)`.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in `[lo, hi)`.
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * uniform() }

    /// `count` samples of N(0, std²) (Box–Muller).
    public mutating func normals(count: Int, std: Float) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let u1 = max(Double(next() >> 11) * 0x1.0p-53, 1e-300)
            let u2 = Double(next() >> 11) * 0x1.0p-53
            let r = (-2 * Foundation.log(u1)).squareRoot()
            out[i] = Float(r * cos(2 * .pi * u2)) * std
            if i + 1 < count { out[i + 1] = Float(r * sin(2 * .pi * u2)) * std }
            i += 2
        }
        return out
    }
}
