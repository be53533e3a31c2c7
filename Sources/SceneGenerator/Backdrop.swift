/// The background of a scene: colours and decorations, chosen per place.
struct Backdrop: Sendable, Equatable {
    /// Wall or sky colour at the top.
    var upper: Colour
    /// Wall or sky colour at the horizon / floor line.
    var upperLow: Colour
    /// Floor or ground colour.
    var ground: Colour
    /// Pixel row where the wall meets the floor / the horizon.
    var horizonY: Double
    /// Decorations: (kind, x, y, size) in pixels; kinds: window, frame, cloud, sun, hill, stripe.
    var decorations: [Decoration]

    struct Decoration: Sendable, Equatable {
        enum Kind: Sendable, Equatable { case window, frame, cloud, sun, hill, sea, rug, road }
        var kind: Kind
        var x: Double
        var y: Double
        var size: Double
        var colour: Colour
    }

    /// A random backdrop for `place` in a `width × height` image whose objects stand on `groundY`.
    static func random(for place: Place, width: Int, height: Int, groundY: Double, rng: inout SceneRNG) -> Backdrop {
        let w = Double(width), h = Double(height)
        let u = h / 192
        var decorations: [Decoration] = []
        switch place.setting {
        case .indoor:
            let walls = [Colour(232, 222, 200), Colour(205, 222, 235), Colour(226, 206, 206), Colour(214, 230, 208),
                         Colour(238, 232, 215), Colour(215, 210, 228)]
            let floors: [Colour]
            switch place {
            case .kitchen: floors = [Colour(200, 200, 196), Colour(170, 175, 180), Colour(222, 214, 196)]
            case .bedroom: floors = [Colour(150, 120, 100), Colour(176, 150, 126), Colour(120, 128, 150)]
            default: floors = [Colour(170, 120, 80), Colour(190, 150, 105), Colour(140, 100, 70)]
            }
            let wall = rng.pick(walls).shaded(rng.double(0.94...1.0))
            let horizon = groundY - h * rng.double(0.16...0.24)
            if rng.chance(0.6) {
                decorations.append(Decoration(kind: .window, x: rng.double(0.15...0.85) * w,
                                              y: horizon * rng.double(0.3...0.45), size: 26 * u,
                                              colour: Colour(180, 215, 240)))
            }
            if rng.chance(0.5) {
                decorations.append(Decoration(kind: .frame, x: rng.double(0.1...0.9) * w,
                                              y: horizon * rng.double(0.25...0.45), size: 15 * u,
                                              colour: rng.pick(Palette.vivid).shaded(0.8)))
            }
            if rng.chance(0.4) {
                decorations.append(Decoration(kind: .rug, x: rng.double(0.2...0.8) * w,
                                              y: (groundY + horizon) / 2 + 6 * u, size: 60 * u,
                                              colour: rng.pick(Palette.vivid).shaded(0.75).mixed(with: wall, 0.35)))
            }
            return Backdrop(upper: wall.shaded(0.93), upperLow: wall, ground: rng.pick(floors),
                            horizonY: horizon, decorations: decorations)
        case .outdoor:
            let sky = [Colour(120, 180, 235), Colour(150, 200, 240), Colour(100, 160, 220), Colour(190, 215, 235)]
            let top = rng.pick(sky)
            let horizon = groundY - h * rng.double(0.2...0.3)
            let ground: Colour
            switch place {
            case .beach: ground = Colour(230, 210, 160).shaded(rng.double(0.93...1.0))
            case .street: ground = Colour(150, 190, 110).shaded(rng.double(0.9...1.0))
            default: ground = rng.pick([Colour(110, 175, 80), Colour(130, 185, 90), Colour(95, 160, 75)])
            }
            if rng.chance(0.5) {
                decorations.append(Decoration(kind: .sun, x: rng.double(0.08...0.92) * w, y: rng.double(0.08...0.2) * h,
                                              size: 9 * u, colour: Colour(255, 225, 110)))
            }
            for _ in 0..<rng.int(0...3) {
                decorations.append(Decoration(kind: .cloud, x: rng.double(0...1) * w, y: rng.double(0.08...0.32) * h,
                                              size: rng.double(8...13) * u, colour: Colour(250, 250, 252)))
            }
            switch place {
            case .beach:
                decorations.append(Decoration(kind: .sea, x: 0, y: horizon, size: rng.double(8...14) * u,
                                              colour: Colour(60, 130, 190)))
            case .street:
                decorations.append(Decoration(kind: .road, x: 0, y: groundY, size: rng.double(14...22) * u,
                                              colour: Colour(95, 95, 100)))
            default:
                if rng.chance(0.7) {
                    decorations.append(Decoration(kind: .hill, x: rng.double(0...1) * w, y: horizon,
                                                  size: rng.double(40...80) * u, colour: ground.shaded(0.85)))
                }
            }
            return Backdrop(upper: top.shaded(0.92), upperLow: top.shaded(1.25), ground: ground, horizonY: horizon,
                            decorations: decorations)
        }
    }
}
