import Foundation
import Imaging
@testable import SceneGenerator

/// Pixels an object paints when drawn alone: those that differ from a black or a white background.
struct ObjectMask {
    let width: Int
    let height: Int
    var bits: [Bool]

    init(_ object: PlacedObject, width: Int, height: Int) {
        self.width = width
        self.height = height
        let black = SceneRenderer.renderAlone(object, width: width, height: height, background: Colour(0, 0, 0))
        let white = SceneRenderer.renderAlone(object, width: width, height: height, background: Colour(255, 255, 255))
        bits = (0..<(width * height)).map { p in
            (0..<3).contains { c in black.pixels[p * 3 + c] != 0 || white.pixels[p * 3 + c] != 255 }
        }
    }

    subscript(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height && bits[y * width + x]
    }

    /// The tight box of the set pixels, nil when empty.
    var box: PixelBox? {
        var x1 = Int.max, y1 = Int.max, x2 = -1, y2 = -1
        for y in 0..<height {
            for x in 0..<width where bits[y * width + x] {
                x1 = min(x1, x); y1 = min(y1, y); x2 = max(x2, x); y2 = max(y2, y)
            }
        }
        return x2 < 0 ? nil : PixelBox(x1: x1, y1: y1, x2: x2 + 1, y2: y2 + 1)
    }

    /// Whether some pixel of `self` lies within `distance` pixels (Chebyshev) of a pixel of `other`.
    func touches(_ other: ObjectMask, within distance: Int) -> Bool {
        guard let b = box else { return false }
        for y in b.y1..<b.y2 {
            for x in b.x1..<b.x2 where bits[y * width + x] {
                for dy in -distance...distance {
                    for dx in -distance...distance where other[x + dx, y + dy] { return true }
                }
            }
        }
        return false
    }
}

extension PixelBox {
    var centerX: Double { Double(x1 + x2) / 2 }
    func overlapsHorizontally(_ o: PixelBox) -> Bool { x1 < o.x2 && o.x1 < x2 }
    func intersects(_ o: PixelBox) -> Bool { x1 < o.x2 && o.x1 < x2 && y1 < o.y2 && o.y1 < y2 }
    func expanded(_ d: Int) -> PixelBox { PixelBox(x1: x1 - d, y1: y1 - d, x2: x2 + d, y2: y2 + d) }
    func contains(_ p: Point) -> Bool {
        p.x >= Double(x1) && p.x <= Double(x2) && p.y >= Double(y1) && p.y <= Double(y2)
    }
    /// Horizontal gap to `o` (negative when they overlap).
    func gap(to o: PixelBox) -> Int { max(o.x1 - x2, x1 - o.x2) }
}

/// The repository root (for Assets/demo).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func temporaryDirectory(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("scenegen-\(name)-\(UUID().uuidString)")
    return url
}
