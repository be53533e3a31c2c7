import CNumerics

/// Pointer-level SIMD kernels behind the public tensor operations.
///
/// Every loop works on 8-lane vectors loaded with `loadUnaligned`; the last `count % 8` elements go through
/// the same vector code on a zero-padded copy, so there is no separate scalar formula that could disagree.
/// Callers guarantee the pointer ranges are valid (they come from tensors whose shapes were checked); the public
/// entry points are for other modules' hot loops over tensor memory.
public enum VectorKernels {
    typealias V = SIMD8<Float>
    static let lanes = 8

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

    /// `x = gelu(x + bias)` in place over `count` elements (`bias` optional), in C (`numerics_activation`).
    static func applyGELU(_ x: UnsafeMutablePointer<Float>, _ count: Int, bias: UnsafePointer<Float>? = nil) {
        numerics_activation(x, count, bias, 1)
    }

    /// `x = quick_gelu(x + bias)` in place over `count` elements (`bias` optional), in C (`numerics_activation`).
    static func applyQuickGELU(_ x: UnsafeMutablePointer<Float>, _ count: Int, bias: UnsafePointer<Float>? = nil) {
        numerics_activation(x, count, bias, 0)
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

    /// In-place softmax of one row of `count > 0` elements: `exp(x - max) / Σ exp(x - max)`, in C
    /// (`numerics_softmax_row`: AVX-512 or AVX2 with a Cephes exp to ~1 ulp).
    static func softmaxRow(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
        numerics_softmax_row(p, count)
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
