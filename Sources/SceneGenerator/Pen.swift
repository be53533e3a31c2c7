/// Maps a pictogram's local units (origin at its ground-contact point, x toward the way it faces,
/// y down, so everything drawn above the ground has negative y) to pixels.
struct Pen {
    /// Pixel position of the local origin.
    var origin: Point
    /// Pixels per local unit.
    var scale: Double
    /// `+1` facing right, `-1` facing left (mirrors x).
    var facing: Double

    /// The pixel position of local point `(x, y)`.
    func p(_ x: Double, _ y: Double) -> Point {
        Point(origin.x + facing * scale * x, origin.y + scale * y)
    }

    func p(_ q: Point) -> Point { p(q.x, q.y) }

    /// A local length in pixels.
    func l(_ v: Double) -> Double { v * scale }

    /// The local coordinates of pixel position `q` (inverse of ``p(_:_:)``).
    func local(_ q: Point) -> Point {
        Point((q.x - origin.x) / (facing * scale), (q.y - origin.y) / scale)
    }

    func circle(_ x: Double, _ y: Double, _ r: Double) -> Shape {
        .circle(center: p(x, y), radius: l(r))
    }

    func ellipse(_ x: Double, _ y: Double, _ rx: Double, _ ry: Double, angle: Double = 0) -> Shape {
        .ellipse(center: p(x, y), rx: l(rx), ry: l(ry), angle: angle * facing)
    }

    func capsule(_ a: Point, _ b: Point, _ r: Double) -> Shape {
        .capsule(p(a), p(b), radius: l(r))
    }

    func capsule(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ r: Double) -> Shape {
        .capsule(p(x1, y1), p(x2, y2), radius: l(r))
    }

    /// A rectangle given by two local corners.
    func rect(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, corner: Double = 0) -> Shape {
        let a = p(x1, y1), b = p(x2, y2)
        return .rect(x1: min(a.x, b.x), y1: min(a.y, b.y), x2: max(a.x, b.x), y2: max(a.y, b.y), corner: l(corner))
    }

    func polygon(_ points: [(Double, Double)]) -> Shape {
        .polygon(points.map { p($0.0, $0.1) })
    }

    func ring(_ x: Double, _ y: Double, _ r: Double, thickness: Double) -> Shape {
        .ring(center: p(x, y), radius: l(r), thickness: l(thickness))
    }
}
