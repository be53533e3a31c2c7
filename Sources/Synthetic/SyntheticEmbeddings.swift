import Foundation
import Numerics
import Retrieval

/// Deterministic clustered unit vectors that look like CLIP embeddings (a shared offset direction, clusters,
/// per-item noise), for benchmarks and tests where uniform random vectors would make recall meaningless.
public struct SyntheticEmbeddings: Sendable {
    public let dimension: Int
    public let clusters: Int
    /// Noise norm relative to the (unit) cluster centre.
    public let spread: Float
    public let seed: UInt64
    /// `[clusters, dimension]` centres (common offset + cluster direction, normalised).
    private let centres: [Float]

    public init(dimension: Int, clusters: Int, spread: Float = 0.6, seed: UInt64 = 42) {
        precondition(dimension > 0 && clusters > 0)
        self.dimension = dimension
        self.clusters = clusters
        self.spread = spread
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        let offset = Self.unitGaussian(dimension, &rng)
        var centres: [Float] = []
        centres.reserveCapacity(clusters * dimension)
        for _ in 0..<clusters {
            let dir = Self.unitGaussian(dimension, &rng)
            centres += Self.normalized(zip(offset, dir).map { 0.5 * $0 + $1 })
        }
        self.centres = centres
    }

    /// Writes item `index`'s vector (unit length) into `out[0..<dimension]`; the same index always gives
    /// the same vector. Items of a stream `stream` (e.g. 0 = collection, 1 = queries) are independent.
    public func write(item index: Int, stream: UInt64 = 0, into out: UnsafeMutableBufferPointer<Float>) {
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9 &* (stream &+ 1) &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
        let c = Int(rng.next() % UInt64(clusters))
        let scale = spread / Float(dimension).squareRoot()
        var sum: Float = 0
        for j in 0..<dimension {
            let v = centres[c * dimension + j] + scale * rng.nextGaussian()
            out[j] = v
            sum += v * v
        }
        let inv = 1 / sum.squareRoot()
        for j in 0..<dimension { out[j] *= inv }
    }

    /// Item `index` of `stream` as an array.
    public func vector(item index: Int, stream: UInt64 = 0) -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        v.withUnsafeMutableBufferPointer { write(item: index, stream: stream, into: $0) }
        return v
    }

    static func unitGaussian(_ n: Int, _ rng: inout SplitMix64) -> [Float] {
        normalized((0..<n).map { _ in rng.nextGaussian() })
    }

    static func normalized(_ v: [Float]) -> [Float] {
        let n = v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / n }
    }
}
