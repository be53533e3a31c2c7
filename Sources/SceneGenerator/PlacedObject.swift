/// The pose a pictogram is drawn in.
enum Pose: Sendable, Equatable {
    case standing
    case running
    case sitting
    /// Lying down, eyes open.
    case lying
    /// Curled up, eyes closed.
    case sleeping
    case flying
    /// A person in an explicit posture.
    case person(PersonSkeleton)
    /// A book held open.
    case open
}

/// Colours and shape variant of one object.
struct ObjectStyle: Sendable, Equatable {
    /// The colour a caption names (shirt, fur, body, cover, paint…).
    var main: Colour
    var second: Colour
    var third: Colour
    var variant: Int
}

/// One object as the generator places and draws it: what, where (its ground-contact point in pixels), how big,
/// which way. The record written for it is a name and a box (`Scenes.SceneObject` when the dataset is read back).
struct PlacedObject: Sendable, Equatable {
    var kind: ObjectKind
    /// Pixel position of the pictogram's local origin (bottom centre for things standing on something).
    var origin: Point
    /// Pixels per local unit.
    var scale: Double
    /// `+1` faces right, `-1` faces left.
    var facing: Double
    var style: ObjectStyle
    var pose: Pose
    /// Only pixels inside this box are drawn (a driver seen through the car window).
    var clip: (x1: Int, y1: Int, x2: Int, y2: Int)?

    var pen: Pen { Pen(origin: origin, scale: scale, facing: facing) }

    static func == (a: PlacedObject, b: PlacedObject) -> Bool {
        a.kind == b.kind && a.origin == b.origin && a.scale == b.scale && a.facing == b.facing
            && a.style == b.style && a.pose == b.pose && a.clip.map { [$0.x1, $0.y1, $0.x2, $0.y2] }
            == b.clip.map { [$0.x1, $0.y1, $0.x2, $0.y2] }
    }
}

/// Something shapes can be drawn onto: a ``Canvas``, or a bounds accumulator for layout.
protocol Surface {
    mutating func fill(_ shape: Shape, _ colour: Colour, opacity: Double)
}

extension Canvas: Surface {}

/// Collects the union of shape bounds (a slightly generous box of what would be painted).
struct ShapeBounds: Surface {
    var x1 = Double.infinity, y1 = Double.infinity, x2 = -Double.infinity, y2 = -Double.infinity

    mutating func fill(_ shape: Shape, _ colour: Colour, opacity: Double) {
        let b = shape.bounds
        x1 = min(x1, b.x1); y1 = min(y1, b.y1)
        x2 = max(x2, b.x2); y2 = max(y2, b.y2)
    }
}

extension Surface {
    mutating func fill(_ shape: Shape, _ colour: Colour) { fill(shape, colour, opacity: 1) }
}
