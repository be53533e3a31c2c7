extension Tensor {
    /// A tensor whose elements `body` writes; `body` must write every one of the `shape.reduce(1, *)` elements.
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
        self.init(shape: shape, storage: storage)
    }

    /// A tensor with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape) { $0.initialize(repeating: value) }
    }

    /// Samples from `N(0, std²)` drawn with a seeded generator (same seed, same tensor on every platform).
    ///
    /// For benchmarks and tests; not a cryptographic or statistically rigorous source.
    public static func randomNormal(shape: [Int], std: Float = 1, seed: UInt64) -> Tensor {
        var generator = SplitMix64(seed: seed)
        return Tensor(shape: shape) { buffer in
            var i = 0
            while i < buffer.count {
                // Box–Muller on two 24-bit uniforms; yields two samples per pair.
                let u1 = Float(max(generator.next() >> 40, 1)) * (1.0 / 16_777_216.0)
                let u2 = generator.nextUnitFloat()
                let radius = (-2 * logf(u1)).squareRoot() * std
                buffer[i] = radius * cosf(2 * .pi * u2)
                if i + 1 < buffer.count { buffer[i + 1] = radius * sinf(2 * .pi * u2) }
                i += 2
            }
        }
    }

    /// Samples uniform in `[low, high)` drawn with a seeded generator.
    public static func randomUniform(shape: [Int], low: Float = 0, high: Float = 1, seed: UInt64) -> Tensor {
        var generator = SplitMix64(seed: seed)
        return Tensor(shape: shape) { buffer in
            for i in 0..<buffer.count {
                buffer[i] = low + (high - low) * generator.nextUnitFloat()
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
