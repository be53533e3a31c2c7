/// Pointer-level SIMD kernels behind the public tensor operations.
///
/// Every loop works on 8-lane vectors loaded with `loadUnaligned`; the last `count % 8` elements go through
/// the same vector code on a zero-padded copy, so there is no separate scalar formula that could disagree.
/// Callers guarantee the pointer ranges are valid (they come from tensors whose shapes were checked); the public
/// entry points are for other modules' hot loops over tensor memory.
public enum VectorKernels {
    typealias V = SIMD8<Float>
    static let lanes = 8

    // MARK: Elementary functions

    /// `exp(x)` to about 1 ulp over the float range (Cephes `expf` polynomial, Cody–Waite reduction).
    @inline(__always)
    static func exp(_ x: V) -> V {
        // Clamp so the 2^n scale stays a normal float; exp(-87.3) ≈ 1.2e-38.
        var x = x.replacing(with: V(repeating: 88.37), where: x .> V(repeating: 88.37))
        x = x.replacing(with: V(repeating: -87.33), where: x .< V(repeating: -87.33))
        // n = round(x / ln2) with the 1.5·2^23 trick: the integer lands in the low mantissa bits.
        let magic = V(repeating: 12_582_912)
        let shifted = x * V(repeating: 1.442_695_04) + magic
        let n = shifted - magic
        let r = x - n * V(repeating: 0.693_359_375) - n * V(repeating: -2.121_944_4e-4)
        var p = V(repeating: 1.987_569_15e-4)
        p = p * r + V(repeating: 1.398_199_95e-3)
        p = p * r + V(repeating: 8.333_451_9e-3)
        p = p * r + V(repeating: 4.166_579_59e-2)
        p = p * r + V(repeating: 1.666_666_55e-1)
        p = p * r + V(repeating: 5.000_000_12e-1)
        let er = p * (r * r) + r + V(repeating: 1)
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: V.self)
        return er * scale
    }

    /// `erfc(|z|)` for the GELU (Abramowitz–Stegun 7.1.26, absolute error ≤ 1.5e-7).
    @inline(__always)
    static func erfcOfMagnitude(_ a: V) -> V {
        let t = V(repeating: 1) / (V(repeating: 1) + V(repeating: 0.327_591_1) * a)
        var p = V(repeating: 1.061_405_429)
        p = p * t + V(repeating: -1.453_152_027)
        p = p * t + V(repeating: 1.421_413_741)
        p = p * t + V(repeating: -0.284_496_736)
        p = p * t + V(repeating: 0.254_829_592)
        return p * t * exp(-(a * a))
    }

    /// `x · Φ(x) = 0.5 · x · (1 + erf(x / √2))`, PyTorch's exact GELU.
    @inline(__always)
    static func gelu(_ x: V) -> V {
        let z = x * V(repeating: 0.707_106_781_186_547_5)
        let negative = z .< V(repeating: 0)
        let a = z.replacing(with: -z, where: negative)
        let c = erfcOfMagnitude(a)
        let onePlusErf = (V(repeating: 2) - c).replacing(with: c, where: negative)
        return V(repeating: 0.5) * x * onePlusErf
    }

    /// `x · sigmoid(1.702 · x)`, CLIP's QuickGELU.
    @inline(__always)
    static func quickGELU(_ x: V) -> V {
        x / (V(repeating: 1) + exp(x * V(repeating: -1.702)))
    }

    // MARK: Loads and stores

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ n: Int, padding: Float = 0) -> V {
        var v = V(repeating: padding)
        for i in 0..<n { v[i] = p[i] }
        return v
    }

    @inline(__always)
    static func storePartial(_ v: V, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { p[i] = v[i] }
    }

    /// Applies `f` lane-wise to `count` elements, reading `src` and writing `dst` (they may be equal).
    @inline(__always)
    static func map(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int, _ f: (V) -> V
    ) {
        var i = 0
        while i + lanes <= count {
            store(f(load(src + i)), dst + i)
            i += lanes
        }
        if i < count { storePartial(f(loadPartial(src + i, count - i)), dst + i, count - i) }
    }

    // MARK: Activations

    static func applyGELU(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        map(src, dst, count, gelu)
    }

    static func applyQuickGELU(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
        map(src, dst, count, quickGELU)
    }

    // MARK: Reductions and row operations

    /// Sum of `count` elements (8 partial sums, then a horizontal add).
    @inline(__always)
    public static func sum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = V(), acc1 = V()
        var i = 0
        while i + 2 * lanes <= count {
            acc0 += load(p + i)
            acc1 += load(p + i + lanes)
            i += 2 * lanes
        }
        if i + lanes <= count {
            acc0 += load(p + i)
            i += lanes
        }
        if i < count { acc1 += loadPartial(p + i, count - i) }
        return (acc0 + acc1).sum()
    }

    /// Largest of `count > 0` elements.
    @inline(__always)
    static func maximum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = V(repeating: -.infinity)
        var i = 0
        while i + lanes <= count {
            acc = pointwiseMax(acc, load(p + i))
            i += lanes
        }
        if i < count { acc = pointwiseMax(acc, loadPartial(p + i, count - i, padding: -.infinity)) }
        return acc.max()
    }

    /// In-place softmax of one row of `count > 0` elements: `exp(x - max) / Σ exp(x - max)`.
    static func softmaxRow(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        let m = V(repeating: maximum(p, count))
        var total = V()
        var i = 0
        while i + lanes <= count {
            let e = exp(load(p + i) - m)
            store(e, p + i)
            total += e
            i += lanes
        }
        if i < count {
            let e = exp(loadPartial(p + i, count - i) - m)
            for j in 0..<(count - i) {
                p[i + j] = e[j]
                total[j] += e[j]
            }
        }
        let inverse = V(repeating: 1 / total.sum())
        map(p, p, count) { $0 * inverse }
    }

    /// LayerNorm of one row: `(x - mean) / sqrt(var + eps) · gamma + beta` (biased variance, two passes).
    static func layerNormRow(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float
    ) {
        let mean = sum(src, count) / Float(count)
        let m = V(repeating: mean)
        var acc0 = V(), acc1 = V()
        var i = 0
        while i + 2 * lanes <= count {
            let d0 = load(src + i) - m
            let d1 = load(src + i + lanes) - m
            acc0 += d0 * d0
            acc1 += d1 * d1
            i += 2 * lanes
        }
        while i + lanes <= count {
            let d = load(src + i) - m
            acc0 += d * d
            i += lanes
        }
        var variance = (acc0 + acc1).sum()
        while i < count {
            let d = src[i] - mean
            variance += d * d
            i += 1
        }
        variance /= Float(count)
        let r = V(repeating: 1 / (variance + eps).squareRoot())
        i = 0
        while i + lanes <= count {
            store((load(src + i) - m) * r * load(gamma + i) + load(beta + i), dst + i)
            i += lanes
        }
        while i < count {
            dst[i] = (src[i] - mean) * r[0] * gamma[i] + beta[i]
            i += 1
        }
    }

    /// `dst[i] = a[i] + b[i]` for `count` elements (`dst` may alias `a` or `b`).
    @inline(__always)
    public static func add(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        var i = 0
        while i + lanes <= count {
            store(load(a + i) + load(b + i), dst + i)
            i += lanes
        }
        while i < count {
            dst[i] = a[i] + b[i]
            i += 1
        }
    }

    /// `dst[i] *= s` for `count` elements.
    @inline(__always)
    public static func scale(_ dst: UnsafeMutablePointer<Float>, _ count: Int, by s: Float) {
        let v = V(repeating: s)
        map(dst, dst, count) { $0 * v }
    }

    /// Σ a[i]·b[i] over `count` elements.
    @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = V(), acc1 = V()
        var i = 0
        while i + 2 * lanes <= count {
            acc0 += load(a + i) * load(b + i)
            acc1 += load(a + i + lanes) * load(b + i + lanes)
            i += 2 * lanes
        }
        var total = (acc0 + acc1).sum()
        while i < count {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }
}
