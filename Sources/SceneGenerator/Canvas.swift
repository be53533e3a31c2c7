/// A floating-point RGB drawing surface with antialiased filling and an ink box: the bounding box of
/// every pixel the current object has painted.
struct Canvas {
    let width: Int
    let height: Int
    /// `width * height * 3` values in `0...255`.
    var pixels: [Float]
    /// Pixels outside this box are never painted, `(x1, y1, x2, y2)` with x2/y2 exclusive.
    var clip: (x1: Int, y1: Int, x2: Int, y2: Int)
    /// The box of pixels painted since ``resetInk()``; nil when nothing was painted.
    private(set) var ink: (x1: Int, y1: Int, x2: Int, y2: Int)?

    /// Coverage below this is not painted, so every painted pixel visibly changes.
    static let minimumCoverage: Float = 1.0 / 16

    init(width: Int, height: Int, fill: Colour = Colour(0, 0, 0)) {
        self.width = width
        self.height = height
        pixels = [Float](repeating: 0, count: width * height * 3)
        clip = (0, 0, width, height)
        for i in 0..<(width * height) {
            pixels[i * 3] = Float(fill.r)
            pixels[i * 3 + 1] = Float(fill.g)
            pixels[i * 3 + 2] = Float(fill.b)
        }
    }

    mutating func resetInk() { ink = nil }

    mutating func resetClip() { clip = (0, 0, width, height) }

    /// Paints `shape` in `colour`, blending by coverage × `opacity`.
    /// Complexity: O(pixels in the shape's bounds).
    mutating func fill(_ shape: Shape, _ colour: Colour, opacity: Double = 1) {
        let b = shape.bounds
        let x1 = max(clip.x1, Int((b.x1 - 1).rounded(.down)))
        let y1 = max(clip.y1, Int((b.y1 - 1).rounded(.down)))
        let x2 = min(clip.x2, Int((b.x2 + 1).rounded(.up)))
        let y2 = min(clip.y2, Int((b.y2 + 1).rounded(.up)))
        if x1 >= x2 || y1 >= y2 { return }
        let distance = shape.distanceFunction()
        let cr = Float(colour.r), cg = Float(colour.g), cb = Float(colour.b)
        let alpha = Float(opacity)
        var inkX1 = Int.max, inkY1 = Int.max, inkX2 = Int.min, inkY2 = Int.min
        let w = width
        pixels.withUnsafeMutableBufferPointer { buf in
            for y in y1..<y2 {
                let py = Double(y) + 0.5
                for x in x1..<x2 {
                    let d = distance(Double(x) + 0.5, py)
                    if d >= 0.5 { continue }
                    let coverage = Float(min(0.5 - d, 1))
                    if coverage < Canvas.minimumCoverage { continue }
                    let a = coverage * alpha
                    let i = (y * w + x) * 3
                    buf[i] += (cr - buf[i]) * a
                    buf[i + 1] += (cg - buf[i + 1]) * a
                    buf[i + 2] += (cb - buf[i + 2]) * a
                    if x < inkX1 { inkX1 = x }
                    if x > inkX2 { inkX2 = x }
                    if y < inkY1 { inkY1 = y }
                    if y > inkY2 { inkY2 = y }
                }
            }
        }
        if inkX1 == Int.max { return }
        if let old = ink {
            ink = (min(old.x1, inkX1), min(old.y1, inkY1), max(old.x2, inkX2 + 1), max(old.y2, inkY2 + 1))
        } else {
            ink = (inkX1, inkY1, inkX2 + 1, inkY2 + 1)
        }
    }
}
