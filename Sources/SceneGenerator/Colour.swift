/// An RGB colour with components in `0...255`, with the name a caption uses for it.
public struct Colour: Sendable, Hashable {
    public var r: Double
    public var g: Double
    public var b: Double
    /// The colour word for captions (`"red"`), empty when it should not be mentioned.
    public var name: String

    public init(_ r: Double, _ g: Double, _ b: Double, name: String = "") {
        self.r = r
        self.g = g
        self.b = b
        self.name = name
    }

    /// This colour scaled toward black (`factor < 1`) or toward white (`factor > 1`), name kept.
    func shaded(_ factor: Double) -> Colour {
        if factor <= 1 {
            return Colour(r * factor, g * factor, b * factor, name: name)
        }
        let t = min(factor - 1, 1)
        return Colour(r + (255 - r) * t, g + (255 - g) * t, b + (255 - b) * t, name: name)
    }

    /// The mix `self·(1−t) + other·t`.
    func mixed(with other: Colour, _ t: Double) -> Colour {
        Colour(r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t, name: name)
    }

    static let black = Colour(20, 20, 24, name: "black")
    static let white = Colour(245, 245, 240, name: "white")
}

/// The named colours objects are painted with.
enum Palette {
    static let red = Colour(214, 40, 40, name: "red")
    static let orange = Colour(245, 130, 32, name: "orange")
    static let yellow = Colour(250, 210, 40, name: "yellow")
    static let green = Colour(60, 170, 70, name: "green")
    static let blue = Colour(40, 90, 215, name: "blue")
    static let purple = Colour(140, 60, 190, name: "purple")
    static let pink = Colour(240, 110, 170, name: "pink")
    static let teal = Colour(20, 160, 160, name: "teal")
    static let brown = Colour(130, 82, 45, name: "brown")
    static let grey = Colour(128, 128, 132, name: "grey")
    static let black = Colour.black
    static let white = Colour.white
    static let golden = Colour(218, 165, 60, name: "golden")
    static let cream = Colour(236, 222, 190, name: "cream")

    /// Bright colours for man-made things (clothes, cars, balls, cups, books).
    static let vivid = [red, orange, yellow, green, blue, purple, pink, teal]
    /// Wood tones for furniture.
    static let wood = [
        Colour(150, 96, 52, name: "brown"), Colour(196, 140, 80, name: "light brown"),
        Colour(100, 62, 36, name: "dark brown"), Colour(225, 200, 160, name: "beige"),
    ]
    static let dogFur = [brown, golden, black, white, Colour(200, 150, 100, name: "tan")]
    static let catFur = [orange, grey, black, white, cream]
    static let horseCoat = [brown, Colour(90, 55, 30, name: "dark brown"), black, white, grey]
    static let skin = [
        Colour(255, 220, 185), Colour(230, 180, 140), Colour(190, 130, 90), Colour(130, 85, 55),
    ]
    static let hair = [Colour(40, 30, 25), Colour(110, 70, 35), Colour(220, 180, 90), Colour(20, 20, 20),
                       Colour(160, 60, 30)]
    static let trousers = [Colour(40, 60, 120), Colour(50, 50, 55), Colour(110, 85, 60), Colour(70, 90, 60)]
}
