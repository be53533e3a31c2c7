import Foundation

/// PIL's `Image.resize(..., Image.BICUBIC)` for 8-bit RGB, restricted to one output window.
///
/// Mirrors Pillow's `Resample.c`: separable two passes (horizontal first, rounded to 8 bits, then vertical),
/// bicubic kernel with `a = -0.5` and support 2 scaled by the downscale factor (antialiasing), coefficients
/// normalised per output pixel in `Double` then converted to 22-bit fixed point, accumulators starting at
/// half a unit and clipped to 0...255. Each output pixel depends only on its own taps, so computing just the
/// window `[left, left+cropWidth) × [top, top+cropHeight)` of the resized image gives the same values as
/// resizing everything and cropping afterwards.
///
/// A `visible` box treats every source pixel outside it as black (the object/relation "black canvas")
/// without materialising the canvas: zero pixels contribute nothing to the fixed-point sums.
struct BicubicResampler {
    static let precisionBits = 22

    /// Filter taps of one output coordinate: first input index and fixed-point weights.
    struct Taps {
        var first: [Int]
        var count: [Int]
        var weights: [Int32]  // `stride` weights per output coordinate
        var stride: Int
    }

    /// PIL's bicubic kernel (`a = -0.5`).
    @inline(__always)
    static func bicubic(_ value: Double) -> Double {
        let a = -0.5
        let x = abs(value)
        if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
        if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0.0
    }

    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for output coordinates `outFirst..<outFirst+outCount`
    /// of a resize from `inSize` to `outSize` (box `0...inSize`).
    static func taps(inSize: Int, outSize: Int, outFirst: Int, outCount: Int) -> Taps {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1.0)
        let support = 2.0 * filterScale
        let kernelSize = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: outCount)
        var count = [Int](repeating: 0, count: outCount)
        var weights = [Int32](repeating: 0, count: outCount * kernelSize)
        var k = [Double](repeating: 0, count: kernelSize)
        let inverse = 1.0 / filterScale
        let unit = Double(1 << precisionBits)
        for i in 0..<outCount {
            let xx = outFirst + i
            let center = (Double(xx) + 0.5) * scale
            var xmin = Int(center - support + 0.5)  // C (int) truncation, as Pillow
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + support + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var total = 0.0
            for x in 0..<xmax {
                let w = bicubic((Double(x + xmin) - center + 0.5) * inverse)
                k[x] = w
                total += w
            }
            for x in 0..<xmax {
                let w = total != 0.0 ? k[x] / total : k[x]
                weights[i * kernelSize + x] = Int32(w < 0 ? (-0.5 + w * unit) : (0.5 + w * unit))
            }
            first[i] = xmin
            count[i] = xmax
        }
        return Taps(first: first, count: count, weights: weights, stride: kernelSize)
    }

    @inline(__always)
    static func clip8(_ value: Int32) -> UInt8 {
        let shifted = value >> Int32(precisionBits)
        return shifted <= 0 ? 0 : (shifted >= 255 ? 255 : UInt8(shifted))
    }

    /// Resizes `image` to `outWidth × outHeight` as PIL does and returns only the window at
    /// (`left`, `top`) of `cropWidth × cropHeight`, interleaved RGB. Pixels outside `visible` count as black.
    /// - Complexity: O(rows needed × cropWidth × taps + cropHeight × cropWidth × taps).
    static func resizeCropped(
        _ image: RGBImage, outWidth: Int, outHeight: Int, left: Int, top: Int, cropWidth: Int, cropHeight: Int,
        visible: PixelBox
    ) -> [UInt8] {
        precondition(left >= 0 && top >= 0 && left + cropWidth <= outWidth && top + cropHeight <= outHeight)
        let w = image.width, h = image.height
        let needHorizontal = outWidth != w
        let needVertical = outHeight != h
        let vis = visible.clamped(width: w, height: h)
        let half = Int32(1 << (precisionBits - 1))

        // Vertical taps decide which source rows the horizontal pass must produce.
        let vTaps = needVertical ? taps(inSize: h, outSize: outHeight, outFirst: top, outCount: cropHeight) : nil
        let rowFirst: Int, rowEnd: Int
        if let vTaps {
            rowFirst = vTaps.first.min() ?? 0
            rowEnd = zip(vTaps.first, vTaps.count).map { $0 + $1 }.max() ?? 0
        } else {
            rowFirst = top
            rowEnd = top + cropHeight
        }

        // Pass 1: rows rowFirst..<rowEnd, columns of the window, 8-bit (as Pillow's intermediate image).
        let rows = rowEnd - rowFirst
        var middle = [UInt8](repeating: 0, count: rows * cropWidth * 3)
        image.pixels.withUnsafeBufferPointer { src in
            middle.withUnsafeMutableBufferPointer { mid in
                let rowLow = max(vis.y1, rowFirst), rowHigh = min(vis.y2, rowEnd)
                guard !vis.isEmpty, rowLow < rowHigh else { return }
                let visibleRows = rowLow..<rowHigh
                if needHorizontal {
                    let hTaps = taps(inSize: w, outSize: outWidth, outFirst: left, outCount: cropWidth)
                    // Per output column: visible tap range and weight offset (others are black).
                    var starts = [Int](repeating: 0, count: cropWidth)
                    var ends = [Int](repeating: 0, count: cropWidth)
                    var bases = [Int](repeating: 0, count: cropWidth)
                    for xx in 0..<cropWidth {
                        starts[xx] = max(hTaps.first[xx], vis.x1)
                        ends[xx] = min(hTaps.first[xx] + hTaps.count[xx], vis.x2)
                        bases[xx] = xx * hTaps.stride - hTaps.first[xx]
                    }
                    hTaps.weights.withUnsafeBufferPointer { kk in
                        for y in visibleRows {
                            let srcRow = y * w * 3
                            let midRow = (y - rowFirst) * cropWidth * 3
                            for xx in 0..<cropWidth {
                                let start = starts[xx], end = ends[xx]
                                var s0 = half, s1 = half, s2 = half
                                if start < end {
                                    let kBase = bases[xx]
                                    for x in start..<end {
                                        let k = kk[kBase + x]
                                        let p = srcRow + x * 3
                                        s0 &+= Int32(src[p]) &* k
                                        s1 &+= Int32(src[p + 1]) &* k
                                        s2 &+= Int32(src[p + 2]) &* k
                                    }
                                }
                                let o = midRow + xx * 3
                                mid[o] = clip8(s0)
                                mid[o + 1] = clip8(s1)
                                mid[o + 2] = clip8(s2)
                            }
                        }
                    }
                } else {
                    // No horizontal resize: copy the window's columns, masked.
                    let x0 = max(vis.x1, left), x1 = min(vis.x2, left + cropWidth)
                    guard x0 < x1 else { return }
                    for y in visibleRows {
                        let srcRow = y * w * 3
                        let midRow = (y - rowFirst) * cropWidth * 3
                        for x in x0..<x1 {
                            let p = srcRow + x * 3, o = midRow + (x - left) * 3
                            mid[o] = src[p]
                            mid[o + 1] = src[p + 1]
                            mid[o + 2] = src[p + 2]
                        }
                    }
                }
            }
        }
        guard let vTaps else { return middle }

        // Pass 2: vertical, over the intermediate rows (rows outside the visible band are all zero).
        let lineWidth = cropWidth * 3
        var output = [UInt8](repeating: 0, count: cropHeight * lineWidth)
        var sums = [Int32](repeating: 0, count: lineWidth)
        middle.withUnsafeBufferPointer { mid in
            output.withUnsafeMutableBufferPointer { out in
                sums.withUnsafeMutableBufferPointer { acc in
                    vTaps.weights.withUnsafeBufferPointer { kk in
                        for yy in 0..<cropHeight {
                            for i in 0..<lineWidth { acc[i] = half }
                            let start = max(vTaps.first[yy], vis.y1)
                            let end = min(vTaps.first[yy] + vTaps.count[yy], vis.y2)
                            if start < end {
                                let kBase = yy * vTaps.stride - vTaps.first[yy]
                                for y in start..<end {
                                    let k = kk[kBase + y]
                                    let row = (y - rowFirst) * lineWidth
                                    for i in 0..<lineWidth { acc[i] &+= Int32(mid[row + i]) &* k }
                                }
                            }
                            let o = yy * lineWidth
                            for i in 0..<lineWidth { out[o + i] = clip8(acc[i]) }
                        }
                    }
                }
            }
        }
        return output
    }
}
