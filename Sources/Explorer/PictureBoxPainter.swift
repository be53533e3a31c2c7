import Imaging

/// Draws ``PictureBox`` outlines into pixels, for pixel-protocol pictures: the boxes then stay aligned with
/// the picture exactly, whatever the terminal's cell size.
public enum PictureBoxPainter {
    /// `image` with every box outlined, `lineWidth` pixels wide inside the box's edge, in its theme colour.
    /// Boxes are given in `imageWidth × imageHeight` coordinates (the annotation's) and scaled to `image`.
    public static func draw(_ boxes: [PictureBox], into image: RGBImage, imageWidth: Int, imageHeight: Int,
                            theme: Theme, lineWidth: Int = 2) -> RGBImage {
        guard image.width > 0, image.height > 0, imageWidth > 0, imageHeight > 0 else { return image }
        var out = image
        let sx = Double(image.width) / Double(imageWidth), sy = Double(image.height) / Double(imageHeight)
        for box in boxes {
            let b = box.box.clamped(width: imageWidth, height: imageHeight)
            let x1 = Int((Double(b.x1) * sx).rounded()), x2 = min(image.width, max(x1 + 1, Int((Double(b.x2) * sx).rounded())))
            let y1 = Int((Double(b.y1) * sy).rounded()), y2 = min(image.height, max(y1 + 1, Int((Double(b.y2) * sy).rounded())))
            let colour = rgb(theme[box.role])
            let w = max(1, lineWidth)
            fill(&out, x1, y1, x2, min(y2, y1 + w), colour)
            fill(&out, x1, max(y1, y2 - w), x2, y2, colour)
            fill(&out, x1, y1, min(x2, x1 + w), y2, colour)
            fill(&out, max(x1, x2 - w), y1, x2, y2, colour)
        }
        return out
    }

    /// The colour a style stands out in over a picture: its background when it has one (highlight styles),
    /// else its foreground; white for the terminal's default colours.
    static func rgb(_ style: CellStyle) -> (UInt8, UInt8, UInt8) {
        let colour = style.background != .terminalDefault ? style.background : style.foreground
        switch colour {
        case .terminalDefault: return (255, 255, 255)
        case .indexed(let n): return ColorPalette.rgb(ofIndex: n)
        case .rgb(let r, let g, let b): return (r, g, b)
        }
    }

    private static func fill(_ image: inout RGBImage, _ x1: Int, _ y1: Int, _ x2: Int, _ y2: Int, _ c: (UInt8, UInt8, UInt8)) {
        let width = image.width
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in max(0, y1)..<max(max(0, y1), y2) {
                for x in max(0, x1)..<max(max(0, x1), x2) {
                    let i = (y * width + x) * 3
                    p[i] = c.0
                    p[i + 1] = c.1
                    p[i + 2] = c.2
                }
            }
        }
    }
}
