extension RGBImage {
    /// The image turned upright for an EXIF orientation tag (1...8), as PIL's `ImageOps.exif_transpose`.
    /// Orientations 5...8 swap width and height. Values outside 2...8 return the image unchanged.
    public func applyingEXIFOrientation(_ orientation: Int) -> RGBImage {
        guard (2...8).contains(orientation) else { return self }
        let w = width, h = height
        let swaps = orientation >= 5
        let outW = swaps ? h : w, outH = swaps ? w : h
        var out = [UInt8](repeating: 0, count: outW * outH * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case 2: (sx, sy) = (w - 1 - ox, oy)  // FLIP_LEFT_RIGHT
                        case 3: (sx, sy) = (w - 1 - ox, h - 1 - oy)  // ROTATE_180
                        case 4: (sx, sy) = (ox, h - 1 - oy)  // FLIP_TOP_BOTTOM
                        case 5: (sx, sy) = (oy, ox)  // TRANSPOSE
                        case 6: (sx, sy) = (oy, h - 1 - ox)  // ROTATE_270 (clockwise)
                        case 7: (sx, sy) = (w - 1 - oy, h - 1 - ox)  // TRANSVERSE
                        default: (sx, sy) = (w - 1 - oy, ox)  // 8: ROTATE_90 (counter-clockwise)
                        }
                        let s = (sy * w + sx) * 3, d = (oy * outW + ox) * 3
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outW, height: outH, pixels: out)
    }
}
