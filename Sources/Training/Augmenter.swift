import Foundation
import Imaging

/// The reference's train-time augmentations on `uint8` HWC images, producing CLIP-normalised CHW floats:
/// global images get `RandomResizedCrop(scale 0.8–1)`, `ColorJitter(0.2, 0.2, 0.2, 0.05)` with p = 0.2 and
/// `GaussianBlur(σ 0.1–1.5, scaled to the input size)` with p = 0.1; object crops `ColorJitter(0.15, 0.15,
/// 0.15, 0.03)` and relation regions `ColorJitter(0.1, 0.1, 0.1, 0.02)`, each with p = 0.2.
/// (Jitter factors are applied in the fixed order brightness, contrast, saturation, hue.)
public struct Augmenter: Sendable {
    /// CLIP's per-channel mean and standard deviation (Imaging's ``Imaging/CLIPPreprocessConfig/openAICLIP``, the
    /// values inference normalises with).
    public static let mean = CLIPPreprocessConfig.openAICLIP.mean
    public static let std = CLIPPreprocessConfig.openAICLIP.std

    /// Jitter strengths (brightness, contrast, saturation, hue).
    public struct Jitter: Sendable {
        public var brightness: Float, contrast: Float, saturation: Float, hue: Float
    }

    public static let globalJitter = Jitter(brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.05)
    public static let objectJitter = Jitter(brightness: 0.15, contrast: 0.15, saturation: 0.15, hue: 0.03)
    public static let relationJitter = Jitter(brightness: 0.1, contrast: 0.1, saturation: 0.1, hue: 0.02)

    /// `uint8` HWC `[S, S, 3]` → normalised CHW floats appended to `out`.
    public static func normalize(_ hwc: UnsafeBufferPointer<UInt8>, side s: Int, into out: inout [Float]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 3 * s * s))
        for c in 0..<3 {
            let m = mean[c], inv = 1 / std[c]
            for i in 0..<(s * s) { out[start + c * s * s + i] = (Float(hwc[i * 3 + c]) / 255 - m) * inv }
        }
    }

    /// Floats in `[0, 1]` HWC → normalised CHW appended to `out`.
    static func normalize(floats hwc: [Float], side s: Int, into out: inout [Float]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 3 * s * s))
        for c in 0..<3 {
            let m = mean[c], inv = 1 / std[c]
            for i in 0..<(s * s) { out[start + c * s * s + i] = (min(max(hwc[i * 3 + c], 0), 1) - m) * inv }
        }
    }

    /// A random resized crop of a `[r, r, 3]` image to `[s, s, 3]` floats in `[0, 1]` (bilinear).
    static func randomResizedCrop(_ src: UnsafeBufferPointer<UInt8>, sourceSide r: Int, outputSide s: Int,
                                  rng: inout TrainingRandom) -> [Float] {
        let area = Float(r * r)
        var cw = r, ch = r, x0 = 0, y0 = 0
        for _ in 0..<10 {
            let target = area * rng.uniform(0.8, 1.0)
            let logRatio = rng.uniform(Foundation.log(3 / 4), Foundation.log(4 / 3))
            let ratio = Foundation.exp(logRatio)
            let w = Int((target * ratio).squareRoot().rounded()), h = Int((target / ratio).squareRoot().rounded())
            if w > 0 && h > 0 && w <= r && h <= r {
                cw = w; ch = h
                x0 = Int(rng.next() % UInt64(r - w + 1)); y0 = Int(rng.next() % UInt64(r - h + 1))
                break
            }
        }
        var out = [Float](repeating: 0, count: s * s * 3)
        let sx = Float(cw) / Float(s), sy = Float(ch) / Float(s)
        for oy in 0..<s {
            let fy = min(max((Float(oy) + 0.5) * sy - 0.5, 0), Float(ch - 1))
            let iy = Int(fy), wy = fy - Float(iy), iy1 = min(iy + 1, ch - 1)
            for ox in 0..<s {
                let fx = min(max((Float(ox) + 0.5) * sx - 0.5, 0), Float(cw - 1))
                let ix = Int(fx), wx = fx - Float(ix), ix1 = min(ix + 1, cw - 1)
                for c in 0..<3 {
                    func px(_ x: Int, _ y: Int) -> Float { Float(src[((y0 + y) * r + x0 + x) * 3 + c]) }
                    let v = (1 - wy) * ((1 - wx) * px(ix, iy) + wx * px(ix1, iy)) + wy * ((1 - wx) * px(ix, iy1) + wx * px(ix1, iy1))
                    out[(oy * s + ox) * 3 + c] = v / 255
                }
            }
        }
        return out
    }

    /// Colour jitter in place on `[0, 1]` HWC floats.
    static func jitter(_ img: inout [Float], _ j: Jitter, rng: inout TrainingRandom) {
        let b = rng.uniform(1 - j.brightness, 1 + j.brightness)
        let c = rng.uniform(1 - j.contrast, 1 + j.contrast)
        let s = rng.uniform(1 - j.saturation, 1 + j.saturation)
        let h = rng.uniform(-j.hue, j.hue)
        let n = img.count / 3
        for i in 0..<img.count { img[i] = min(max(img[i] * b, 0), 1) }
        var meanGray: Float = 0
        for p in 0..<n { meanGray += 0.299 * img[p * 3] + 0.587 * img[p * 3 + 1] + 0.114 * img[p * 3 + 2] }
        meanGray /= Float(max(n, 1))
        for i in 0..<img.count { img[i] = min(max(c * img[i] + (1 - c) * meanGray, 0), 1) }
        for p in 0..<n {
            let g = 0.299 * img[p * 3] + 0.587 * img[p * 3 + 1] + 0.114 * img[p * 3 + 2]
            for k in 0..<3 { img[p * 3 + k] = min(max(s * img[p * 3 + k] + (1 - s) * g, 0), 1) }
        }
        if h != 0 {
            for p in 0..<n {
                var (hh, ss, vv) = rgbToHSV(img[p * 3], img[p * 3 + 1], img[p * 3 + 2])
                hh = (hh + h).truncatingRemainder(dividingBy: 1)
                if hh < 0 { hh += 1 }
                let (r, g, bl) = hsvToRGB(hh, ss, vv)
                img[p * 3] = r; img[p * 3 + 1] = g; img[p * 3 + 2] = bl
            }
        }
    }

    static func rgbToHSV(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let mx = max(r, g, b), mn = min(r, g, b), d = mx - mn
        var h: Float = 0
        if d > 0 {
            if mx == r { h = ((g - b) / d).truncatingRemainder(dividingBy: 6) }
            else if mx == g { h = (b - r) / d + 2 }
            else { h = (r - g) / d + 4 }
            h /= 6
            if h < 0 { h += 1 }
        }
        return (h, mx > 0 ? d / mx : 0, mx)
    }

    static func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
        let i = Int(h * 6) % 6, f = h * 6 - Float(Int(h * 6))
        let p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s)
        switch i {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }

    /// Gaussian blur in place on `[s, s, 3]` floats (separable, reflect-free clamped borders).
    static func blur(_ img: inout [Float], side s: Int, sigma: Float) {
        let radius = max(1, Int((3 * sigma).rounded(.up)))
        var k = (-radius...radius).map { Foundation.exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = k.reduce(0, +)
        k = k.map { $0 / total }
        var tmp = img
        for y in 0..<s { for x in 0..<s { for c in 0..<3 {
            var v: Float = 0
            for d in -radius...radius { v += k[d + radius] * img[(y * s + min(max(x + d, 0), s - 1)) * 3 + c] }
            tmp[(y * s + x) * 3 + c] = v
        } } }
        for y in 0..<s { for x in 0..<s { for c in 0..<3 {
            var v: Float = 0
            for d in -radius...radius { v += k[d + radius] * tmp[(min(max(y + d, 0), s - 1) * s + x) * 3 + c] }
            img[(y * s + x) * 3 + c] = v
        } } }
    }
}
