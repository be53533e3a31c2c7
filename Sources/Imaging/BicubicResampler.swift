import CResample
import Foundation

/// PIL's `Image.resize(..., Image.BICUBIC)` for 8-bit RGB, restricted to one output window.
///
/// Mirrors Pillow's `Resample.c`: separable two passes, each rounded to 8 bits, bicubic kernel with
/// `a = -0.5` and support 2 scaled by the downscale factor (antialiasing), coefficients normalised per output
/// pixel in `Double` then converted to 22-bit fixed point, accumulators starting at half a unit and clipped to
/// 0...255. Each output pixel depends only on its own taps, so computing just the window
/// `[left, left+cropWidth) × [top, top+cropHeight)` of the resized image gives the same values as resizing
/// everything and cropping afterwards.
///
/// Pass order: horizontal first, except (Pillow 13, python-pillow/Pillow#9549) when the height shrinks and
/// by more than twice as many pixels as the width (`h - outHeight > 2 · (w - outWidth)`): then vertical first.
/// Both orders are exact integer arithmetic; the order only changes where the intermediate rounding happens.
///
/// A `visible` box treats every source pixel outside it as black (the object/relation "black canvas")
/// without materialising the canvas: zero pixels contribute nothing to the fixed-point sums.
///
/// The inner loops are C (`CResample`): AVX2 when the CPU has it, portable C otherwise, equal byte for byte.
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

    /// Whether Pillow runs the vertical pass first for a `w × h → outWidth × outHeight` resize.
    static func verticalFirst(width w: Int, height h: Int, outWidth: Int, outHeight: Int) -> Bool {
        outWidth != w && outHeight < h && h - outHeight > 2 * (w - outWidth)
    }

    /// The source pixels that the window (`left`, `top`, `cropWidth × cropHeight`) of a `w × h → outWidth ×
    /// outHeight` resize reads: decoding only this box of the JPEG is enough (see ``resizeCropped``'s `origin`).
    static func sourceRegion(
        width w: Int, height h: Int, outWidth: Int, outHeight: Int, left: Int, top: Int, cropWidth: Int,
        cropHeight: Int
    ) -> PixelBox {
        func span(_ inSize: Int, _ outSize: Int, _ first: Int, _ count: Int) -> (Int, Int) {
            if inSize == outSize { return (first, first + count) }
            let t = taps(inSize: inSize, outSize: outSize, outFirst: first, outCount: count)
            return (t.first.min() ?? 0, zip(t.first, t.count).map { $0 + $1 }.max() ?? 0)
        }
        let (x1, x2) = span(w, outWidth, left, cropWidth)
        let (y1, y2) = span(h, outHeight, top, cropHeight)
        return PixelBox(x1: x1, y1: y1, x2: x2, y2: y2)
    }

    /// Resizes a `width × height` image to `outWidth × outHeight` as PIL does and returns only the window at
    /// (`left`, `top`) of `cropWidth × cropHeight`, interleaved RGB. Pixels outside `visible` count as black.
    /// `image` holds the pixels of the full image from `origin` on (the whole image by default; at least
    /// ``sourceRegion(width:height:outWidth:outHeight:left:top:cropWidth:cropHeight:)``).
    /// `allowSIMD: false` forces the portable C kernels (same bytes; used to test both paths).
    /// - Complexity: O(rows needed × cropWidth × taps + cropHeight × cropWidth × taps).
    static func resizeCropped(
        _ image: RGBImage, origin: (x: Int, y: Int) = (0, 0), width: Int? = nil, height: Int? = nil,
        outWidth: Int, outHeight: Int, left: Int, top: Int, cropWidth: Int, cropHeight: Int,
        visible: PixelBox, allowSIMD: Bool = true
    ) -> [UInt8] {
        precondition(left >= 0 && top >= 0 && left + cropWidth <= outWidth && top + cropHeight <= outHeight)
        let w = width ?? image.width, h = height ?? image.height
        let (ox, oy, rw) = (origin.x, origin.y, image.width)
        let needed = sourceRegion(
            width: w, height: h, outWidth: outWidth, outHeight: outHeight, left: left, top: top,
            cropWidth: cropWidth, cropHeight: cropHeight)
        precondition(
            ox <= needed.x1 && oy <= needed.y1 && needed.x2 <= ox + rw && needed.y2 <= oy + image.height,
            "source pixels \(image.width)x\(image.height) at (\(ox), \(oy)) do not cover the region \(needed)")
        let vis = visible.clamped(width: w, height: h)
        let needHorizontal = outWidth != w
        let needVertical = outHeight != h
        let lineBytes = cropWidth * 3
        if vis.isEmpty { return [UInt8](repeating: 0, count: cropHeight * lineBytes) }
        let simd: Int32 = allowSIMD ? 1 : 0
        let hTaps = needHorizontal ? taps(inSize: w, outSize: outWidth, outFirst: left, outCount: cropWidth) : nil
        let vTaps = needVertical ? taps(inSize: h, outSize: outHeight, outFirst: top, outCount: cropHeight) : nil

        return image.pixels.withUnsafeBufferPointer { src in
            let source = src.baseAddress!
            if let hTaps, let vTaps, verticalFirst(width: w, height: h, outWidth: outWidth, outHeight: outHeight) {
                // Vertical pass over the columns the horizontal taps read, invisible rows weighted zero, then
                // horizontal with invisible columns weighted zero.
                let colFirst = hTaps.first.min() ?? 0
                let colEnd = zip(hTaps.first, hTaps.count).map { $0 + $1 }.max() ?? 0
                let midLine = (colEnd - colFirst) * 3
                var middle = [UInt8](repeating: 0, count: cropHeight * midLine)
                middle.withUnsafeMutableBufferPointer { mid in
                    verticalPass(
                        source + (colFirst - ox) * 3, stride: rw * 3, lineBytes: midLine, taps: vTaps, rowOffset: oy,
                        visibleRows: vis.y1..<vis.y2, into: mid.baseAddress!, simd: simd)
                }
                var output = [UInt8](repeating: 0, count: cropHeight * lineBytes)
                middle.withUnsafeBufferPointer { mid in
                    output.withUnsafeMutableBufferPointer { out in
                        horizontalPass(
                            mid.baseAddress!, stride: midLine, width: colEnd - colFirst, rows: cropHeight,
                            taps: hTaps, columnOffset: colFirst, visibleColumns: vis.x1..<vis.x2,
                            into: out.baseAddress!, simd: simd)
                    }
                }
                return output
            }

            // Horizontal first. Vertical taps decide which source rows the horizontal pass must produce.
            let rowFirst = vTaps.map { $0.first.min() ?? 0 } ?? top
            let rowEnd = vTaps.map { zip($0.first, $0.count).map { $0 + $1 }.max() ?? 0 } ?? (top + cropHeight)
            // Rows outside the visible band stay zero (black) and contribute nothing to the vertical pass.
            var middle = [UInt8](repeating: 0, count: (rowEnd - rowFirst) * lineBytes)
            let rowLow = max(vis.y1, rowFirst), rowHigh = min(vis.y2, rowEnd)
            if rowLow < rowHigh {
                middle.withUnsafeMutableBufferPointer { mid in
                    let srcRows = source + (rowLow - oy) * rw * 3
                    let midRows = mid.baseAddress! + (rowLow - rowFirst) * lineBytes
                    if let hTaps {
                        horizontalPass(
                            srcRows, stride: rw * 3, width: rw, rows: rowHigh - rowLow, taps: hTaps, columnOffset: ox,
                            visibleColumns: vis.x1..<vis.x2, into: midRows, simd: simd)
                    } else {
                        // No horizontal resize: copy the window's visible columns.
                        let x0 = max(vis.x1, left), x1 = min(vis.x2, left + cropWidth)
                        guard x0 < x1 else { return }
                        for y in 0..<(rowHigh - rowLow) {
                            (midRows + y * lineBytes + (x0 - left) * 3)
                                .update(from: srcRows + y * rw * 3 + (x0 - ox) * 3, count: (x1 - x0) * 3)
                        }
                    }
                }
            }
            guard let vTaps else { return middle }
            var output = [UInt8](repeating: 0, count: cropHeight * lineBytes)
            middle.withUnsafeBufferPointer { mid in
                output.withUnsafeMutableBufferPointer { out in
                    verticalPass(
                        mid.baseAddress!, stride: lineBytes, lineBytes: lineBytes, taps: vTaps, rowOffset: rowFirst,
                        visibleRows: nil, into: out.baseAddress!, simd: simd)
                }
            }
            return output
        }
    }

    /// Horizontal pass over `rows` rows of `width` pixels at `source`; `taps` index columns of the full image,
    /// `columnOffset` is the full-image column of `source`'s first pixel. Writes `taps.first.count` pixels per row.
    private static func horizontalPass(
        _ source: UnsafePointer<UInt8>, stride: Int, width: Int, rows: Int, taps: Taps, columnOffset: Int,
        visibleColumns: Range<Int>, into output: UnsafeMutablePointer<UInt8>, simd: Int32
    ) {
        let outCount = taps.first.count
        let plan = HorizontalPlan(
            taps: taps, columnOffset: columnOffset, sourceWidth: width, visibleColumns: visibleColumns)
        plan.starts.withUnsafeBufferPointer { starts in
            plan.coefficients.withUnsafeBufferPointer { coeffs in
                resample_rgb_horizontal(
                    source, stride, width, rows, starts.baseAddress!, coeffs.baseAddress!, plan.pairs, outCount,
                    output, outCount * 3, simd)
            }
        }
    }

    /// Vertical pass: output row `r` from source rows `taps.first[r] - rowOffset ...`; rows outside
    /// `visibleRows` (full-image indices, `nil` = all) get weight zero.
    private static func verticalPass(
        _ source: UnsafePointer<UInt8>, stride: Int, lineBytes: Int, taps: Taps, rowOffset: Int,
        visibleRows: Range<Int>?, into output: UnsafeMutablePointer<UInt8>, simd: Int32
    ) {
        let starts = taps.first.map { Int32($0 - rowOffset) }
        let counts = taps.count.map { Int32($0) }
        var weights = taps.weights
        if let visibleRows {
            for r in taps.first.indices {
                for t in 0..<taps.count[r] where !visibleRows.contains(taps.first[r] + t) {
                    weights[r * taps.stride + t] = 0
                }
            }
        }
        weights.withUnsafeBufferPointer { kk in
            resample_vertical(
                source, stride, lineBytes, starts, counts, kk.baseAddress!, taps.stride, taps.first.count, output,
                lineBytes, simd)
        }
    }

    /// Horizontal taps laid out for `resample_rgb_horizontal`: every output column reads a window of
    /// `2 · pairs` source pixels from `starts[c]` (shifted left near the right edge so the window stays inside
    /// the row), with weights `[w, w, w, 0]` per pixel and zero for padding and invisible columns.
    struct HorizontalPlan {
        var starts: [Int32]
        var coefficients: [Int32]
        var pairs: Int

        init(taps: Taps, columnOffset: Int, sourceWidth: Int, visibleColumns: Range<Int>) {
            let outCount = taps.first.count
            let longest = taps.count.max() ?? 0
            pairs = max(1, (longest + 1) / 2)
            let window = 2 * pairs
            starts = [Int32](repeating: 0, count: outCount)
            coefficients = [Int32](repeating: 0, count: outCount * pairs * 8)
            for c in 0..<outCount {
                let first = taps.first[c] - columnOffset
                let start = max(0, min(first, sourceWidth - window))
                starts[c] = Int32(start)
                let base = c * pairs * 8
                for t in 0..<taps.count[c] where visibleColumns.contains(taps.first[c] + t) {
                    let j = first + t - start
                    let weight = taps.weights[c * taps.stride + t]
                    let at = base + (j / 2) * 8 + (j % 2) * 4
                    coefficients[at] = weight
                    coefficients[at + 1] = weight
                    coefficients[at + 2] = weight
                }
            }
        }
    }
}
