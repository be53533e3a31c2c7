import Imaging

/// A rendered scene: the picture and each object's tight box, in ``Scene/objects`` order.
struct RenderedScene: Sendable {
    var image: RGBImage
    /// Box of the pixels each object's pictogram painted (before blur and noise), x2/y2 exclusive.
    var boxes: [PixelBox]
}

/// Rasterises a ``Scene``: background, ground shadows, objects, then light blur and noise.
enum SceneRenderer {
    /// Renders `scene`; `noiseSeed` drives the pixel noise.
    /// Complexity: O(width × height) plus the area of every shape.
    static func render(_ scene: Scene, noiseSeed: UInt64) -> RenderedScene {
        var canvas = Canvas(width: scene.width, height: scene.height)
        drawBackdrop(scene, on: &canvas)
        drawShadows(scene, on: &canvas)
        var boxes: [PixelBox] = []
        for object in scene.objects {
            canvas.resetInk()
            if let c = object.clip { canvas.clip = c }
            Pictogram.draw(object, on: &canvas)
            canvas.resetClip()
            let ink = canvas.ink ?? (0, 0, 0, 0)
            boxes.append(PixelBox(x1: ink.x1, y1: ink.y1, x2: ink.x2, y2: ink.y2))
        }
        for line in scene.lines {
            canvas.fill(.capsule(line.from, line.to, radius: line.width), line.colour)
        }
        if scene.blur { blur(&canvas) }
        return RenderedScene(image: quantise(canvas, noise: scene.noise, seed: noiseSeed), boxes: boxes)
    }

    /// Draws one object alone on a plain background (used to check boxes against the pictogram's own pixels).
    static func renderAlone(_ object: PlacedObject, width: Int, height: Int, background: Colour) -> RGBImage {
        var canvas = Canvas(width: width, height: height, fill: background)
        if let c = object.clip { canvas.clip = c }
        Pictogram.draw(object, on: &canvas)
        return quantise(canvas, noise: 0, seed: 0)
    }

    /// The focused-region image of a relation: `image` with everything outside `box` black.
    static func focusedRegion(_ image: RGBImage, box: PixelBox) -> RGBImage {
        var out = RGBImage(width: image.width, height: image.height)
        let b = box.clamped(width: image.width, height: image.height)
        if b.isEmpty { return out }
        for y in b.y1..<b.y2 {
            let start = (y * image.width + b.x1) * 3, end = (y * image.width + b.x2) * 3
            out.pixels.replaceSubrange(start..<end, with: image.pixels[start..<end])
        }
        return out
    }

    // MARK: Background

    static func drawBackdrop(_ scene: Scene, on canvas: inout Canvas) {
        let bd = scene.backdrop
        let w = scene.width, h = scene.height
        let horizon = Int(bd.horizonY.rounded())
        canvas.pixels.withUnsafeMutableBufferPointer { buf in
            for y in 0..<h {
                let c: Colour
                if y < horizon {
                    let t = Double(y) / Double(max(horizon, 1))
                    c = bd.upper.mixed(with: bd.upperLow, t)
                } else {
                    let t = Double(y - horizon) / Double(max(h - horizon, 1))
                    c = bd.ground.shaded(0.88 + 0.14 * t)
                }
                let r = Float(c.r), g = Float(c.g), b = Float(c.b)
                for x in 0..<w {
                    let i = (y * w + x) * 3
                    buf[i] = r; buf[i + 1] = g; buf[i + 2] = b
                }
            }
        }
        let u = Double(h) / 192
        let W = Double(w)
        for d in bd.decorations {
            switch d.kind {
            case .window:
                let s = d.size
                canvas.fill(.rect(x1: d.x - s, y1: d.y - s * 0.8, x2: d.x + s, y2: d.y + s * 0.8, corner: 1),
                            Colour(250, 250, 245))
                canvas.fill(.rect(x1: d.x - s + 2.5 * u, y1: d.y - s * 0.8 + 2.5 * u, x2: d.x + s - 2.5 * u,
                                  y2: d.y + s * 0.8 - 2.5 * u, corner: 0), d.colour)
                canvas.fill(.rect(x1: d.x - 1.2 * u, y1: d.y - s * 0.8, x2: d.x + 1.2 * u, y2: d.y + s * 0.8, corner: 0),
                            Colour(250, 250, 245))
            case .frame:
                let s = d.size
                canvas.fill(.rect(x1: d.x - s, y1: d.y - s * 0.75, x2: d.x + s, y2: d.y + s * 0.75, corner: 0),
                            Colour(120, 90, 60))
                canvas.fill(.rect(x1: d.x - s + 2 * u, y1: d.y - s * 0.75 + 2 * u, x2: d.x + s - 2 * u,
                                  y2: d.y + s * 0.75 - 2 * u, corner: 0), d.colour.mixed(with: Colour(240, 240, 230), 0.5))
                canvas.fill(.polygon([Point(d.x - s * 0.7, d.y + s * 0.5), Point(d.x, d.y - s * 0.3),
                                      Point(d.x + s * 0.7, d.y + s * 0.5)]), d.colour)
            case .rug:
                canvas.fill(.ellipse(center: Point(d.x, d.y), rx: d.size, ry: d.size * 0.12, angle: 0), d.colour)
            case .sun:
                canvas.fill(.circle(center: Point(d.x, d.y), radius: d.size), d.colour)
            case .cloud:
                let s = d.size
                canvas.fill(.circle(center: Point(d.x - s, d.y + s * 0.2), radius: s * 0.7), d.colour, opacity: 0.9)
                canvas.fill(.circle(center: Point(d.x + s, d.y + s * 0.2), radius: s * 0.7), d.colour, opacity: 0.9)
                canvas.fill(.circle(center: Point(d.x, d.y - s * 0.1), radius: s), d.colour, opacity: 0.9)
            case .hill:
                canvas.fill(.ellipse(center: Point(d.x, d.y), rx: d.size, ry: d.size * 0.28, angle: 0), d.colour)
                canvas.fill(.rect(x1: 0, y1: d.y, x2: W, y2: d.y + 1, corner: 0), bd.ground.shaded(0.88))
            case .sea:
                canvas.fill(.rect(x1: 0, y1: d.y - d.size, x2: W, y2: d.y, corner: 0), d.colour)
            case .road:
                canvas.fill(.rect(x1: 0, y1: d.y - d.size * 0.6, x2: W, y2: d.y + d.size * 0.4, corner: 0), d.colour)
                var x = 4 * u
                while x < W {
                    canvas.fill(.rect(x1: x, y1: d.y - 0.8 * u, x2: x + 10 * u, y2: d.y + 0.8 * u, corner: 0),
                                Colour(240, 240, 235), opacity: 0.8)
                    x += 22 * u
                }
            }
        }
    }

    /// Soft contact shadows under objects that stand on the ground.
    static func drawShadows(_ scene: Scene, on canvas: inout Canvas) {
        let u = Double(scene.height) / 192
        for object in scene.objects where object.clip == nil {
            let b = Pictogram.bounds(of: object)
            guard abs(b.y2 - scene.groundY) < 2.5 * u else { continue }
            canvas.fill(.ellipse(center: Point((b.x1 + b.x2) / 2, scene.groundY - 0.5 * u), rx: (b.x2 - b.x1) * 0.45,
                                 ry: 2.5 * u, angle: 0), Colour(0, 0, 0), opacity: 0.18)
        }
    }

    // MARK: Post-processing

    /// A 3×3 binomial blur (weights 1-2-1 in each direction).
    static func blur(_ canvas: inout Canvas) {
        let w = canvas.width, h = canvas.height
        guard w > 2, h > 2 else { return }
        var tmp = canvas.pixels
        canvas.pixels.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    for x in 0..<w {
                        let l = max(x - 1, 0), r = min(x + 1, w - 1)
                        for c in 0..<3 {
                            dst[(y * w + x) * 3 + c] = (src[(y * w + l) * 3 + c] + 2 * src[(y * w + x) * 3 + c]
                                + src[(y * w + r) * 3 + c]) * 0.25
                        }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { src in
            canvas.pixels.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let t = max(y - 1, 0), b = min(y + 1, h - 1)
                    for x in 0..<w {
                        for c in 0..<3 {
                            dst[(y * w + x) * 3 + c] = (src[(t * w + x) * 3 + c] + 2 * src[(y * w + x) * 3 + c]
                                + src[(b * w + x) * 3 + c]) * 0.25
                        }
                    }
                }
            }
        }
    }

    /// Rounds to bytes, adding triangular noise of standard deviation `noise` per channel.
    static func quantise(_ canvas: Canvas, noise: Double, seed: UInt64) -> RGBImage {
        var rng = SceneRNG(seed: seed)
        let n = canvas.width * canvas.height
        var out = [UInt8](repeating: 0, count: n * 3)
        // A sum of two uniforms on [0, 1) minus 1 has standard deviation 1/√6.
        let amplitude = Float(noise * 6.0.squareRoot()) / 1024
        canvas.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for p in 0..<n {
                    var bits = noise > 0 ? rng.next() : 0
                    for c in 0..<3 {
                        var v = src[p * 3 + c]
                        if noise > 0 {
                            let a = Float(bits & 1023), b = Float((bits >> 10) & 1023)
                            bits >>= 20
                            v += (a + b - 1023) * amplitude
                        }
                        dst[p * 3 + c] = UInt8(min(max(v.rounded(), 0), 255))
                    }
                }
            }
        }
        return RGBImage(width: canvas.width, height: canvas.height, pixels: out)
    }
}
