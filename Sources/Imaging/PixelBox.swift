/// An axis-aligned box in pixel coordinates, `[x1, y1, x2, y2]` with `x2`/`y2` exclusive,
/// as the reference dataset stores object boxes (floats truncated to integers).
public struct PixelBox: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x1: Int
    public var y1: Int
    public var x2: Int
    public var y2: Int

    public init(x1: Int, y1: Int, x2: Int, y2: Int) {
        self.x1 = x1
        self.y1 = y1
        self.x2 = x2
        self.y2 = y2
    }

    /// The largest coordinate magnitude a box may have (far beyond any picture the pixel limit admits).
    public static let coordinateLimit: Double = 1e9

    /// Truncates floating-point coordinates toward zero, like Python's `int()`; `nil` unless there are exactly
    /// four finite coordinates within ±``coordinateLimit`` (so no input value can trap the conversion).
    public init?(truncating values: [Double]) {
        guard values.count == 4, values.allSatisfy({ $0.isFinite && abs($0) < Self.coordinateLimit }) else { return nil }
        self.init(x1: Int(values[0]), y1: Int(values[1]), x2: Int(values[2]), y2: Int(values[3]))
    }

    public var width: Int { x2 - x1 }
    public var height: Int { y2 - y1 }
    /// `true` when the box encloses no pixel.
    public var isEmpty: Bool { x2 <= x1 || y2 <= y1 }

    /// The box limited to a `width × height` image.
    public func clamped(width: Int, height: Int) -> PixelBox {
        PixelBox(x1: min(max(x1, 0), width), y1: min(max(y1, 0), height),
                 x2: min(max(x2, 0), width), y2: min(max(y2, 0), height))
    }

    /// The smallest box holding both boxes.
    public func union(_ other: PixelBox) -> PixelBox {
        PixelBox(x1: min(x1, other.x1), y1: min(y1, other.y1), x2: max(x2, other.x2), y2: max(y2, other.y2))
    }

    public var description: String { "[\(x1), \(y1), \(x2), \(y2)]" }
}
