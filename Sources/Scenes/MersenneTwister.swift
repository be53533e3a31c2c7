/// CPython's random number generator: MT19937 seeded the way `random.seed(n)` seeds it for an integer `n`, with
/// `getrandbits`, `random()`, `_randbelow` and `shuffle` drawing exactly as CPython's `random` module does, so a
/// seeded Python shuffle can be reproduced element for element (Modules/_randommodule.c, Lib/random.py).
///
/// Use `Numerics.SplitMix64` where only reproducibility within this package matters; use this type where a result
/// must equal what a Python program computes. It lives in `Scenes` because its one use is the reference's split
/// (``SplitPartition``), which must equal the reference's Python shuffle.
public struct MersenneTwister: Sendable, Equatable {
    private static let n = 624
    private static let m = 397
    private var state: [UInt32]
    private var position: Int

    /// The generator `random.seed(seed)` gives for a non-negative integer seed: `init_by_array` keyed by the
    /// seed's 32-bit words, least significant first (one word `0` for seed 0), as CPython does for an `int`.
    public init(seed: UInt64) {
        var key: [UInt32] = [UInt32(truncatingIfNeeded: seed)]
        if seed >> 32 != 0 { key.append(UInt32(truncatingIfNeeded: seed >> 32)) }
        self.init(key: key)
    }

    /// The generator after `init_by_array(key)` (a non-empty key; CPython passes `[0]` for seed 0).
    public init(key: [UInt32]) {
        precondition(!key.isEmpty, "init_by_array needs at least one key word")
        var mt = Self.initialState(19_650_218)
        let n = Self.n
        var i = 1
        var j = 0
        for _ in 0..<max(n, key.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(truncatingIfNeeded: j)
            i += 1
            j += 1
            if i >= n {
                mt[0] = mt[n - 1]
                i = 1
            }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<(n - 1) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(truncatingIfNeeded: i)
            i += 1
            if i >= n {
                mt[0] = mt[n - 1]
                i = 1
            }
        }
        mt[0] = 0x8000_0000
        state = mt
        position = n
    }

    /// `init_genrand(s)`: the state every seeding starts from.
    private static func initialState(_ seed: UInt32) -> [UInt32] {
        var mt = [UInt32](repeating: 0, count: n)
        mt[0] = seed
        for i in 1..<n {
            mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
        return mt
    }

    /// The next 32-bit output (`genrand_uint32`).
    public mutating func next32() -> UInt32 {
        if position >= Self.n { twist() }
        var y = state[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        let n = Self.n
        let m = Self.m
        for k in 0..<n {
            let y = (state[k] & 0x8000_0000) | (state[(k + 1) % n] & 0x7FFF_FFFF)
            state[k] = state[(k + m) % n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
        }
        position = 0
    }

    /// `random.getrandbits(k)` for `0 ≤ k ≤ 64`: whole 32-bit words from the least significant end, the last
    /// one shifted down to the bits still wanted.
    public mutating func randomBits(_ k: Int) -> UInt64 {
        precondition((0...64).contains(k), "randomBits takes 0 to 64 bits")
        if k == 0 { return 0 }
        if k <= 32 { return UInt64(next32() >> (32 - k)) }
        let low = UInt64(next32())
        let high = UInt64(next32() >> (64 - k))
        return low | high << 32
    }

    /// `random.random()`: a float in `[0, 1)` with 53 random bits from two outputs.
    public mutating func nextUnitDouble() -> Double {
        let a = Double(next32() >> 5)
        let b = Double(next32() >> 6)
        return (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random._randbelow(bound)` for `bound > 0`: `getrandbits(bound.bit_length())` redrawn until below `bound`.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below needs a positive bound")
        let bits = Int.bitWidth - bound.leadingZeroBitCount
        while true {
            let r = randomBits(bits)
            if r < UInt64(bound) { return Int(r) }
        }
    }

    /// `random.shuffle(elements)`: Fisher–Yates from the end, swapping `i` with `_randbelow(i + 1)`.
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ elements: inout C) where C.Index == Int {
        guard elements.count > 1 else { return }
        let start = elements.startIndex
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(start + i, start + below(i + 1))
        }
    }
}
