import Foundation
import Numerics

/// A 2-D neighbour-preserving map of unit vectors in the manner of UMAP (McInnes, Healy & Melville, 2018):
/// a fuzzy k-nearest-neighbour graph, laid out by stochastic gradient descent with negative sampling,
/// started from the two principal components.
///
/// 1. ``NeighbourGraph`` gives each row's `k` nearest rows (exact or through IVF lists).
/// 2. Each row's distances `d = √(2 − 2·cos)` become memberships `exp(−(d − ρ)/σ)`, `ρ` the nearest distance and
///    `σ` found by bisection so that they sum to `log2 k`; the graph is symmetrised as `a + b − a·b`.
/// 3. The layout starts from ``PrincipalComponents`` scaled to `[0, 10]`; every epoch each edge pulls its ends
///    together as often as its weight asks (`−2ab·d^{2(b−1)} / (1 + a·d^{2b})`) and pushes one end away from
///    `negativeRate` random rows (`2b / ((0.001 + d²)(1 + a·d^{2b}))`), gradients clipped at 4, the step shrinking
///    linearly to 0. `a`, `b` fit the curve `1 / (1 + a·x^{2b})` for the minimum distance (0.1 → 1.577, 0.895).
///
/// Deterministic for a seed: one thread lays out (the graph is built on all cores, with the same result).
/// Cost: O(epochs · edges · (1 + negativeRate)) for the layout.
public struct NeighbourMap: Sendable {
    /// Settings of the layout.
    public struct Settings: Sendable, Equatable, Codable {
        /// Neighbours per row in the graph.
        public var neighbours = 15
        /// Epochs (default: 500 up to 10,000 rows, 200 above, as UMAP).
        public var epochs: Int?
        /// Random rows pushed away per attraction.
        public var negativeRate = 5
        /// Curve parameters for a minimum distance of 0.1.
        public var a: Float = 1.577
        public var b: Float = 0.895
        /// Seed of the negative sampling and the initial jitter.
        public var seed: UInt64 = 42

        public init(neighbours: Int = 15, epochs: Int? = nil, negativeRate: Int = 5, seed: UInt64 = 42) {
            self.neighbours = neighbours
            self.epochs = epochs
            self.negativeRate = negativeRate
            self.seed = seed
        }

        /// A short text naming the method and settings (stored with cached maps).
        public var summary: String {
            "umap-style k=\(neighbours) epochs=\(epochs.map(String.init) ?? "auto") negatives=\(negativeRate) a=\(a) b=\(b) seed=\(seed)"
        }
    }

    /// `[count, 2]` coordinates, row-major.
    public var coordinates: [Float]
    /// Rows mapped.
    public var count: Int { coordinates.count / 2 }

    public init(coordinates: [Float]) {
        precondition(coordinates.count % 2 == 0, "two coordinates per row")
        self.coordinates = coordinates
    }

    /// Maps every row of `index`, building its neighbour graph first (see ``NeighbourGraph/build(_:k:centroids:assignments:probes:exact:seed:)``).
    /// - Parameter progress: called with (epochs done, epochs) during the layout.
    public static func compute(
        _ index: VectorIndex, settings: Settings = Settings(), centroids: [Float]? = nil, assignments: [Int32]? = nil,
        progress: ((Int, Int) -> Void)? = nil
    ) -> NeighbourMap {
        let graph = NeighbourGraph.build(index, k: min(settings.neighbours, max(1, index.count - 1)),
                                         centroids: centroids, assignments: assignments, seed: settings.seed)
        let start = PrincipalComponents.project(index, components: 2)
        return layout(graph: graph, initial: start, settings: settings, progress: progress)
    }

    /// Lays out `graph` from `initial` (`[count, 2]`, e.g. principal components).
    public static func layout(graph: NeighbourGraph, initial: [Float], settings: Settings = Settings(),
                              progress: ((Int, Int) -> Void)? = nil) -> NeighbourMap {
        let n = graph.count
        precondition(initial.count == 2 * n, "two initial coordinates per row")
        guard n > 2 else { return NeighbourMap(coordinates: [Float](repeating: 0, count: 2 * n)) }
        let edges = fuzzyEdges(graph)
        let epochs = max(1, settings.epochs ?? (n <= 10_000 ? 500 : 200))
        // Initial layout: scaled to [0, 10] on each axis, with a little jitter so equal rows part.
        var rng = SplitMix64(seed: settings.seed)
        var y = initial
        for axis in 0..<2 {
            var lo = Float.infinity, hi = -Float.infinity
            for i in 0..<n { lo = min(lo, y[2 * i + axis]); hi = max(hi, y[2 * i + axis]) }
            let scale = hi > lo ? 10 / (hi - lo) : 1
            for i in 0..<n { y[2 * i + axis] = (y[2 * i + axis] - lo) * scale + 0.0001 * rng.nextGaussian() }
        }
        // Edges sampled less than once over all epochs are dropped (as UMAP does).
        let maxWeight = edges.weight.max() ?? 1
        var heads: [Int32] = [], tails: [Int32] = [], period: [Float] = []
        for e in edges.weight.indices where edges.weight[e] >= maxWeight / Float(epochs) {
            heads.append(edges.head[e])
            tails.append(edges.tail[e])
            period.append(maxWeight / edges.weight[e])
        }
        let negativeRate = max(0, settings.negativeRate)
        var nextSample = period
        let negativePeriod: [Float] = period.map { $0 / Float(max(negativeRate, 1)) }
        var nextNegative = negativePeriod
        let a = settings.a, b = settings.b
        let edgeCount = heads.count
        heads.withUnsafeBufferPointer { hp in
        tails.withUnsafeBufferPointer { tp in
        period.withUnsafeBufferPointer { pp in
        negativePeriod.withUnsafeBufferPointer { np in
        nextSample.withUnsafeMutableBufferPointer { sp in
        nextNegative.withUnsafeMutableBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
            let y = yp.baseAddress!
            for epoch in 0..<epochs {
                let alpha = 1 - Float(epoch) / Float(epochs)
                let now = Float(epoch)
                for e in 0..<edgeCount where sp[e] <= now {
                    let i = Int(hp[e]), j = Int(tp[e])
                    var dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1]
                    var d2 = dx * dx + dy * dy
                    if d2 > 0 {
                        let p = fastPower(d2, b)
                        let coefficient = -2 * a * b * (p / d2) / (a * p + 1)
                        let gx = clip(coefficient * dx) * alpha, gy = clip(coefficient * dy) * alpha
                        y[2 * i] += gx; y[2 * i + 1] += gy
                        y[2 * j] -= gx; y[2 * j + 1] -= gy
                    }
                    sp[e] += pp[e]
                    guard negativeRate > 0 else { continue }
                    let negatives = Int((now - xp[e]) / np[e])
                    for _ in 0..<max(0, negatives) {
                        let k = Int(rng.next() % UInt64(n))
                        if k == i { continue }
                        dx = y[2 * i] - y[2 * k]
                        dy = y[2 * i + 1] - y[2 * k + 1]
                        d2 = dx * dx + dy * dy
                        if d2 > 0 {
                            let coefficient = 2 * b / ((0.001 + d2) * (a * fastPower(d2, b) + 1))
                            y[2 * i] += clip(coefficient * dx) * alpha
                            y[2 * i + 1] += clip(coefficient * dy) * alpha
                        } else {
                            y[2 * i] += 4 * alpha
                            y[2 * i + 1] += 4 * alpha
                        }
                    }
                    xp[e] += Float(max(0, negatives)) * np[e]
                }
                progress?(epoch + 1, epochs)
            }
        }
        }
        }
        }
        }
        }
        }
        return NeighbourMap(coordinates: y)
    }

    @inline(__always) static func clip(_ v: Float) -> Float { min(4, max(-4, v)) }

    /// `x^b` for `x > 0` as `2^(b·log2 x)` with short polynomials for the mantissa's log and the fraction's
    /// power (relative error below 0.5 %): the layout's gradients need the curve's shape, not its last digits,
    /// and `powf` was most of the layout's time. Same result on every platform.
    @inline(__always) static func fastPower(_ x: Float, _ b: Float) -> Float {
        let bits = x.bitPattern
        let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xFF) - 127)
        let m = Float(bitPattern: (bits & 0x7F_FFFF) | 0x3F80_0000)  // mantissa in [1, 2)
        // log2(m) on [1, 2): a cubic through the end points (max error ~1e-3).
        let log2m = ((0.15824871 * m - 1.0514237) * m + 3.0478386) * m - 2.1546635
        let t = b * (exponent + log2m)
        guard t > -126, t < 127 else { return t <= -126 ? 0 : .greatestFiniteMagnitude }
        let whole = t.rounded(.down)
        let f = t - whole
        // 2^f on [0, 1): a cubic (max error ~1e-4).
        let power = ((0.07944154 * f + 0.22741128) * f + 0.69314718) * f + 1.0
        return power * Float(bitPattern: UInt32(Int32(whole) + 127) << 23)
    }

    /// Directed edges of the symmetrised fuzzy graph (both directions of every pair).
    static func fuzzyEdges(_ graph: NeighbourGraph) -> (head: [Int32], tail: [Int32], weight: [Float]) {
        let n = graph.count, k = graph.k
        let target = log2(Float(max(k, 2)))
        var keys: [UInt64] = []
        var weights: [Float] = []
        keys.reserveCapacity(2 * n * k)
        weights.reserveCapacity(2 * n * k)
        var distances = [Float](repeating: 0, count: k)
        for i in 0..<n {
            var valid = 0
            for s in 0..<k where graph.neighbours[i * k + s] >= 0 {
                distances[valid] = (max(0, 2 - 2 * graph.similarities[i * k + s])).squareRoot()
                valid += 1
            }
            guard valid > 0 else { continue }
            let rho = distances[0..<valid].min()!
            // Bisection for σ: Σ exp(−max(0, d − ρ)/σ) = log2 k.
            var lo: Float = 0, hi = Float.infinity, sigma: Float = 1
            for _ in 0..<64 {
                var sum: Float = 0
                for s in 0..<valid { sum += expf(-max(0, distances[s] - rho) / sigma) }
                if abs(sum - target) < 1e-5 { break }
                if sum > target {
                    hi = sigma
                    sigma = (lo + hi) / 2
                } else {
                    lo = sigma
                    sigma = hi == .infinity ? sigma * 2 : (lo + hi) / 2
                }
            }
            let mean = distances[0..<valid].reduce(0, +) / Float(valid)
            sigma = max(sigma, 1e-3 * mean, 1e-12)
            var slot = 0
            for s in 0..<k {
                let j = graph.neighbours[i * k + s]
                guard j >= 0 else { continue }
                let w = expf(-max(0, distances[slot] - rho) / sigma)
                slot += 1
                keys.append(UInt64(i) << 32 | UInt64(UInt32(j)))
                weights.append(w)
            }
        }
        // w(i, j) and w(j, i) combined as a + b − a·b, by sorting keys of both directions together.
        let m = keys.count
        var entries = [(key: UInt64, weight: Float)]()
        entries.reserveCapacity(2 * m)
        for e in 0..<m {
            entries.append((keys[e], weights[e]))
            let i = keys[e] >> 32, j = keys[e] & 0xFFFF_FFFF
            entries.append((j << 32 | i, weights[e]))  // the transposed entry
        }
        entries.sort { $0.key < $1.key }
        // Each (i, j) appears once from i's list (if j is among i's neighbours) and once transposed from j's
        // list (if i is among j's); a key seen once as direct and once transposed combines the two.
        var head: [Int32] = [], tail: [Int32] = [], weight: [Float] = []
        head.reserveCapacity(entries.count)
        var e = 0
        while e < entries.count {
            var f = e + 1
            while f < entries.count && entries[f].key == entries[e].key { f += 1 }
            var combined: Float = 0
            for g in e..<f { combined = combined + entries[g].weight - combined * entries[g].weight }
            head.append(Int32(truncatingIfNeeded: entries[e].key >> 32))
            tail.append(Int32(truncatingIfNeeded: entries[e].key & 0xFFFF_FFFF))
            weight.append(combined)
            e = f
        }
        return (head, tail, weight)
    }
}
