import Foundation

/// A point in pixel space (x right, y down); pixel `(i, j)` covers `[i, i+1) × [j, j+1)`.
public struct Point: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    static func + (a: Point, b: Point) -> Point { Point(a.x + b.x, a.y + b.y) }
    static func - (a: Point, b: Point) -> Point { Point(a.x - b.x, a.y - b.y) }
    static func * (a: Point, k: Double) -> Point { Point(a.x * k, a.y * k) }
    var length: Double { (x * x + y * y).squareRoot() }
    func dot(_ o: Point) -> Double { x * o.x + y * o.y }
}

/// A filled primitive described by its signed distance (negative inside), so edges can be antialiased
/// from one evaluation per pixel: coverage = clamp(0.5 − distance, 0, 1).
enum Shape: Sendable {
    case circle(center: Point, radius: Double)
    /// An ellipse with semi-axes `rx`, `ry` rotated by `angle` radians.
    case ellipse(center: Point, rx: Double, ry: Double, angle: Double)
    /// A segment thickened to `radius` with round caps.
    case capsule(Point, Point, radius: Double)
    /// An axis-aligned rectangle with rounded corners.
    case rect(x1: Double, y1: Double, x2: Double, y2: Double, corner: Double)
    /// A convex polygon (either winding).
    case polygon([Point])
    /// A circle outline of stroke width `thickness`.
    case ring(center: Point, radius: Double, thickness: Double)

    /// The region that can receive coverage, before growing by the antialiasing margin.
    var bounds: (x1: Double, y1: Double, x2: Double, y2: Double) {
        switch self {
        case .circle(let c, let r):
            return (c.x - r, c.y - r, c.x + r, c.y + r)
        case .ellipse(let c, let rx, let ry, let angle):
            let ca = cos(angle), sa = sin(angle)
            let hx = ((rx * ca) * (rx * ca) + (ry * sa) * (ry * sa)).squareRoot()
            let hy = ((rx * sa) * (rx * sa) + (ry * ca) * (ry * ca)).squareRoot()
            return (c.x - hx, c.y - hy, c.x + hx, c.y + hy)
        case .capsule(let a, let b, let r):
            return (min(a.x, b.x) - r, min(a.y, b.y) - r, max(a.x, b.x) + r, max(a.y, b.y) + r)
        case .rect(let x1, let y1, let x2, let y2, _):
            return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        case .polygon(let points):
            var b = (x1: Double.infinity, y1: Double.infinity, x2: -Double.infinity, y2: -Double.infinity)
            for p in points {
                b.x1 = min(b.x1, p.x); b.y1 = min(b.y1, p.y)
                b.x2 = max(b.x2, p.x); b.y2 = max(b.y2, p.y)
            }
            return b
        case .ring(let c, let r, let t):
            let o = r + t / 2
            return (c.x - o, c.y - o, c.x + o, c.y + o)
        }
    }

    /// A signed-distance evaluator for this shape (negative inside, in pixels).
    func distanceFunction() -> (Double, Double) -> Double {
        switch self {
        case .circle(let c, let r):
            return { x, y in
                let dx = x - c.x, dy = y - c.y
                return (dx * dx + dy * dy).squareRoot() - r
            }
        case .ellipse(let c, let rx, let ry, let angle):
            let ca = cos(angle), sa = sin(angle)
            let irx = 1 / max(rx, 1e-6), iry = 1 / max(ry, 1e-6)
            return { x, y in
                let dx = x - c.x, dy = y - c.y
                let u = (dx * ca + dy * sa), v = (-dx * sa + dy * ca)
                let k0 = ((u * irx) * (u * irx) + (v * iry) * (v * iry)).squareRoot()
                let k1 = ((u * irx * irx) * (u * irx * irx) + (v * iry * iry) * (v * iry * iry)).squareRoot()
                if k1 < 1e-9 { return -min(rx, ry) }
                return k0 * (k0 - 1) / k1
            }
        case .capsule(let a, let b, let r):
            let ab = b - a
            let len2 = max(ab.dot(ab), 1e-12)
            return { x, y in
                let px = x - a.x, py = y - a.y
                let h = min(max((px * ab.x + py * ab.y) / len2, 0), 1)
                let qx = px - ab.x * h, qy = py - ab.y * h
                return (qx * qx + qy * qy).squareRoot() - r
            }
        case .rect(let x1, let y1, let x2, let y2, let corner):
            let cx = (x1 + x2) / 2, cy = (y1 + y2) / 2
            let hx = abs(x2 - x1) / 2, hy = abs(y2 - y1) / 2
            let r = min(corner, hx, hy)
            return { x, y in
                let qx = abs(x - cx) - (hx - r), qy = abs(y - cy) - (hy - r)
                let ox = max(qx, 0), oy = max(qy, 0)
                return (ox * ox + oy * oy).squareRoot() + min(max(qx, qy), 0) - r
            }
        case .polygon(let points):
            // Outward edge normals; the maximum plane distance is exact inside and close outside.
            var area = 0.0
            for i in points.indices {
                let p = points[i], q = points[(i + 1) % points.count]
                area += p.x * q.y - q.x * p.y
            }
            let orientation: Double = area >= 0 ? 1 : -1
            var planes: [(Double, Double, Double)] = []
            for i in points.indices {
                let p = points[i], q = points[(i + 1) % points.count]
                var nx = (q.y - p.y) * orientation, ny = -(q.x - p.x) * orientation
                let len = (nx * nx + ny * ny).squareRoot()
                if len < 1e-9 { continue }
                nx /= len; ny /= len
                planes.append((nx, ny, nx * p.x + ny * p.y))
            }
            return { x, y in
                var d = -Double.infinity
                for (nx, ny, c) in planes { d = max(d, nx * x + ny * y - c) }
                return d
            }
        case .ring(let c, let r, let t):
            return { x, y in
                let dx = x - c.x, dy = y - c.y
                return abs((dx * dx + dy * dy).squareRoot() - r) - t / 2
            }
        }
    }
}
