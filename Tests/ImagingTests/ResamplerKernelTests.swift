import CResample
import Foundation
@testable import Imaging
import Numerics
import Testing

/// The AVX2 kernels of the resampler against its portable C kernels and a plain Swift transcription of
/// Pillow's `Resample.c` (the PIL fixtures in `RGBImageResizeTests` and `CLIPPreprocessorTests` check real images).
@Suite struct ResamplerKernelTests {
    /// Pillow's horizontal-then-vertical bicubic pass, one pixel at a time, black outside `visible`.
    static func pillowReference(
        _ image: RGBImage, outWidth: Int, outHeight: Int, left: Int, top: Int, cropWidth: Int, cropHeight: Int,
        visible: PixelBox
    ) -> [UInt8] {
        let w = image.width, h = image.height
        let vis = visible.clamped(width: w, height: h)
        func clip(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v >> BicubicResampler.precisionBits))) }
        let half = 1 << (BicubicResampler.precisionBits - 1)
        func pixel(_ x: Int, _ y: Int, _ c: Int) -> Int {
            vis.x1 <= x && x < vis.x2 && vis.y1 <= y && y < vis.y2 ? Int(image.pixels[(y * w + x) * 3 + c]) : 0
        }
        let hTaps = BicubicResampler.taps(inSize: w, outSize: outWidth, outFirst: 0, outCount: outWidth)
        let vTaps = BicubicResampler.taps(inSize: h, outSize: outHeight, outFirst: 0, outCount: outHeight)
        // One pass over a full w' x h' image of 3-channel pixels `get`, along x or y.
        func pass(_ get: (Int, Int, Int) -> Int, width: Int, height: Int, horizontal: Bool) -> (Int, Int, [UInt8]) {
            let (ow, oh) = horizontal ? (outWidth, height) : (width, outHeight)
            let taps = horizontal ? hTaps : vTaps
            var out = [UInt8](repeating: 0, count: ow * oh * 3)
            for y in 0..<oh {
                for x in 0..<ow {
                    for c in 0..<3 {
                        let o = horizontal ? x : y
                        var sum = half
                        for t in 0..<taps.count[o] {
                            let k = Int(taps.weights[o * taps.stride + t])
                            sum += k * (horizontal ? get(taps.first[o] + t, y, c) : get(x, taps.first[o] + t, c))
                        }
                        out[(y * ow + x) * 3 + c] = clip(sum)
                    }
                }
            }
            return (ow, oh, out)
        }
        var (cw0, ch0, cur) = (w, h, [UInt8]())
        var get: (Int, Int, Int) -> Int = pixel
        let vFirst = BicubicResampler.verticalFirst(width: w, height: h, outWidth: outWidth, outHeight: outHeight)
        for horizontal in vFirst ? [false, true] : [true, false] {
            if horizontal ? outWidth == w : outHeight == h { continue }
            (cw0, ch0, cur) = pass(get, width: cw0, height: ch0, horizontal: horizontal)
            let (buffer, stride) = (cur, cw0)
            get = { x, y, c in Int(buffer[(y * stride + x) * 3 + c]) }
        }
        var out = [UInt8](repeating: 0, count: cropHeight * cropWidth * 3)
        for y in 0..<cropHeight {
            for x in 0..<cropWidth {
                for c in 0..<3 { out[(y * cropWidth + x) * 3 + c] = UInt8(get(left + x, top + y, c)) }
            }
        }
        return out
    }

    static func randomImage(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var state = seed
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in pixels.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Mostly smooth with hard 0/255 spikes, so that clipping at both ends is exercised.
            let spike = (state >> 60) == 0 ? 255 : ((state >> 60) == 1 ? -255 : 0)
            pixels[i] = UInt8(max(0, min(255, (i * 7 / 5) % 256 / 2 + Int((state >> 33) % 64) + spike)))
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// (source width, height, output width, height, crop left, top, width, height, visible box)
    static let cases: [(Int, Int, Int, Int, Int, Int, Int, Int, PixelBox?)] = [
        (1920, 1080, 398, 224, 87, 0, 224, 224, nil),      // 1080p to CLIP 224 (many taps, even pairs)
        (641, 479, 300, 224, 38, 0, 224, 224, nil),         // odd sizes
        (97, 61, 333, 211, 5, 7, 301, 199, nil),            // upscale, odd crop width (vertical tail)
        (5, 3, 33, 7, 0, 0, 33, 7, nil),                    // tap window wider than the source row
        (7, 5, 3, 2, 0, 0, 3, 2, nil),                      // downscale of a tiny image
        (1003, 17, 13, 17, 0, 0, 13, 17, nil),              // horizontal only, ~77x downscale
        (29, 301, 29, 64, 0, 3, 29, 50, nil),               // vertical only
        (320, 240, 149, 112, 18, 0, 112, 112, PixelBox(x1: 51, y1: 28, x2: 166, y2: 201)),  // object canvas
        (320, 240, 149, 112, 18, 0, 112, 112, PixelBox(x1: 319, y1: 0, x2: 320, y2: 1)),   // one pixel
        (300, 200, 111, 74, 0, 0, 111, 74, PixelBox(x1: 0, y1: 150, x2: 300, y2: 200)),      // bottom band
        (61, 301, 40, 64, 3, 5, 31, 50, nil),               // height shrinks > 2x the width: vertical first
        (130, 350, 112, 301, 0, 94, 112, 112, PixelBox(x1: 20, y1: 40, x2: 101, y2: 330)),   // vertical first, canvas
        (70, 160, 90, 64, 0, 0, 90, 64, nil),               // wider, shorter: vertical first
    ]

    @Test(arguments: cases.indices)
    func simdAndPortableKernelsEqualPillow(index: Int) {
        let (w, h, ow, oh, left, top, cw, ch, box) = Self.cases[index]
        let image = Self.randomImage(width: w, height: h, seed: UInt64(index + 1))
        let visible = box ?? PixelBox(x1: 0, y1: 0, x2: w, y2: h)
        let simd = BicubicResampler.resizeCropped(
            image, outWidth: ow, outHeight: oh, left: left, top: top, cropWidth: cw, cropHeight: ch, visible: visible,
            allowSIMD: true)
        let portable = BicubicResampler.resizeCropped(
            image, outWidth: ow, outHeight: oh, left: left, top: top, cropWidth: cw, cropHeight: ch, visible: visible,
            allowSIMD: false)
        #expect(simd == portable, "case \(index): SIMD and portable kernels differ")
        // The plain transcription is slow in debug builds: check it on the smaller cases only.
        if w * h <= 320 * 240 {
            let reference = Self.pillowReference(
                image, outWidth: ow, outHeight: oh, left: left, top: top, cropWidth: cw, cropHeight: ch, visible: visible)
            #expect(portable == reference, "case \(index): kernels differ from the Pillow transcription")
        }
    }

    /// The resampler follows the calling thread's kernel level (`--kernels portable` keeps it in C): its AVX2
    /// kernels are off under a portable ceiling, on where the CPU and the level allow them, the bytes the same.
    @Test func followsTheKernelLevel() {
        let image = Self.randomImage(width: 120, height: 90, seed: 5)
        let visible = PixelBox(x1: 0, y1: 0, x2: 120, y2: 90)
        func resize() -> [UInt8] {
            BicubicResampler.resizeCropped(
                image, outWidth: 64, outHeight: 48, left: 0, top: 0, cropWidth: 64, cropHeight: 48, visible: visible)
        }
        let (portableUse, portable) = KernelLevel.withCeiling(.portable) { (resample_kernels_use_avx2(), resize()) }
        #expect(portableUse == 0)
        #expect((resample_kernels_use_avx2() != 0) == (KernelLevel.detected >= .avx2))
        #expect(resize() == portable)
    }
}
