import Testing
@testable import Numerics

@Suite struct SplitMix64Tests {
    @Test func matchesReferenceSequence() {
        // Reference values of SplitMix64 seeded with 1234567 (from the published C implementation).
        var rng = SplitMix64(seed: 1_234_567)
        #expect(rng.next() == 6_457_827_717_110_365_317)
        #expect(rng.next() == 3_203_168_211_198_807_973)
        #expect(rng.next() == 9_817_491_932_198_370_423)
    }

    @Test func unitFloatsStayInRange() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<10_000 {
            let x = rng.nextUnitFloat()
            #expect(x >= 0 && x < 1)
        }
    }

    @Test func gaussianHasUnitMoments() {
        var rng = SplitMix64(seed: 42)
        let n = 20_000
        var sum = 0.0, sumSquares = 0.0
        for _ in 0..<n {
            let x = Double(rng.nextGaussian())
            sum += x
            sumSquares += x * x
        }
        let mean = sum / Double(n)
        #expect(abs(mean) < 0.03)
        #expect(abs(sumSquares / Double(n) - mean * mean - 1) < 0.05)
    }
}
