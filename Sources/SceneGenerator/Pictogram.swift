/// Draws each object kind as a flat, bold pictogram (shapes in local units, see ``Pen``).
enum Pictogram {
    /// Draws `object` onto `surface`.
    static func draw<S: Surface>(_ object: PlacedObject, on surface: inout S) {
        switch object.kind {
        case .person: drawPerson(object, on: &surface)
        case .dog: drawQuadruped(object, build: .dog, on: &surface)
        case .cat: drawQuadruped(object, build: .cat, on: &surface)
        case .horse: drawHorse(object, on: &surface)
        case .bird: drawBird(object, on: &surface)
        case .ball: drawBall(object, on: &surface)
        case .cup: drawCup(object, on: &surface)
        case .book: drawBook(object, on: &surface)
        case .table: drawTable(object, on: &surface)
        case .chair: drawChair(object, on: &surface)
        case .sofa: drawSofa(object, on: &surface)
        case .car: drawCar(object, on: &surface)
        case .bicycle: drawBicycle(object, on: &surface)
        case .tree: drawTree(object, on: &surface)
        case .lamp: drawLamp(object, on: &surface)
        }
    }

    /// The pixel bounds `object` may paint (a box a little larger than its ink).
    static func bounds(of object: PlacedObject) -> ShapeBounds {
        var b = ShapeBounds()
        draw(object, on: &b)
        if let c = object.clip {
            b.x1 = max(b.x1, Double(c.x1)); b.y1 = max(b.y1, Double(c.y1))
            b.x2 = min(b.x2, Double(c.x2)); b.y2 = min(b.y2, Double(c.y2))
        }
        return b
    }

    // MARK: Anchors (local units) the composer uses

    /// Height of a seat's top surface above the floor (chair, sofa) or of a table top.
    static func supportTop(_ kind: ObjectKind) -> Double {
        switch kind {
        case .chair: return 30
        case .sofa: return 32
        case .table: return 50
        case .car: return 60
        default: return 0
        }
    }

    /// The horizontal span (local x) of a support surface.
    static func supportSpan(_ kind: ObjectKind) -> ClosedRange<Double> {
        switch kind {
        case .chair: return -15...15
        case .sofa: return -42...42
        case .table: return -42...42
        case .car: return -24...18
        default: return 0...0
        }
    }

    /// The free space under a table or chair: local x span and clear height.
    static func underSpace(_ kind: ObjectKind) -> (span: ClosedRange<Double>, height: Double) {
        switch kind {
        case .table: return (-34...34, 39)
        case .chair: return (-10...10, 23)
        default: return (0...0, 0)
        }
    }

    static let bicycleSaddle = Point(-8, -47)
    static let bicycleGrip = Point(19, -50)
    static let bicycleCrank = Point(0, -16)
    static let horseBack = Point(-2, -67)
    static let carFrontWindow = [Point(-3, -39), Point(-3, -56), Point(19, -56), Point(29, -39)]

    // MARK: Person

    static func drawPerson<S: Surface>(_ o: PlacedObject, on s: inout S) {
        guard case .person(let k) = o.pose else { return }
        let pen = o.pen
        let shirt = o.style.main, trousers = o.style.second, skin = o.style.third
        let hair = Palette.hair[o.style.variant % Palette.hair.count]
        let longHair = (o.style.variant / Palette.hair.count) % 2 == 1
        let shoe = Colour(45, 38, 34)
        // Far limbs first, darker.
        s.fill(pen.capsule(k.shoulder, k.backElbow, 3.8), shirt.shaded(0.72))
        s.fill(pen.capsule(k.backElbow, k.backHand, 3.1), skin.shaded(0.82))
        if !k.upperBodyOnly {
            // Feet points are the soles: the ankle sits a shin radius above, so nothing reaches below the sole.
            s.fill(pen.capsule(k.hip, k.backKnee, 5.2), trousers.shaded(0.75))
            s.fill(pen.capsule(k.backKnee, Point(k.backFoot.x, k.backFoot.y - 4.6), 4.6), trousers.shaded(0.75))
            s.fill(pen.ellipse(k.backFoot.x + 3, k.backFoot.y - 2.5, 6, 2.5), shoe)
        }
        if longHair {
            let h = k.headCenter
            s.fill(pen.capsule(h.x - 4, h.y, h.x - 6, h.y + 15, 6), hair)
        }
        // Torso and head.
        s.fill(pen.capsule(Point(k.hip.x, k.hip.y - 4), Point(k.neck.x, k.neck.y + 7), 10), shirt)
        if !k.upperBodyOnly {
            s.fill(pen.capsule(k.hip, k.frontKnee, 5.2), trousers)
            s.fill(pen.capsule(k.frontKnee, Point(k.frontFoot.x, k.frontFoot.y - 4.6), 4.6), trousers)
            s.fill(pen.ellipse(k.frontFoot.x + 3, k.frontFoot.y - 2.5, 6, 2.5), shoe)
        }
        let h = k.headCenter
        s.fill(pen.capsule(k.neck.x, k.neck.y + 2, h.x, h.y, 3.6), skin)
        s.fill(pen.circle(h.x, h.y, PersonSkeleton.headRadius), skin)
        s.fill(pen.ellipse(h.x - 1.5, h.y - 5, 10.2, 6.2, angle: -0.15), hair)
        if k.eyesDown {
            s.fill(pen.capsule(h.x + 3.5, h.y + 0.5, h.x + 7, h.y + 0.5, 0.8), Colour(30, 25, 25))
        } else {
            s.fill(pen.circle(h.x + 5, h.y - 0.5, 1.5), Colour(30, 25, 25))
        }
        // Near arm last.
        s.fill(pen.capsule(k.shoulder, k.frontElbow, 3.9), shirt.shaded(0.9))
        s.fill(pen.capsule(k.frontElbow, k.frontHand, 3.2), skin)
        s.fill(pen.circle(k.frontHand.x, k.frontHand.y, 3.5), skin)
    }

    // MARK: Dog and cat

    /// Proportions shared by the dog and cat pictograms.
    struct QuadrupedBuild {
        var bodyRX: Double, bodyRY: Double, leg: Double, legR: Double, headR: Double
        var cat: Bool

        static let dog = QuadrupedBuild(bodyRX: 22, bodyRY: 10, leg: 15, legR: 3.7, headR: 9, cat: false)
        static let cat = QuadrupedBuild(bodyRX: 17, bodyRY: 8, leg: 12, legR: 2.8, headR: 7.5, cat: true)
    }

    /// Where the head centre sits for a pose (local units).
    static func quadrupedHead(_ b: QuadrupedBuild, _ pose: Pose) -> Point {
        let cy = -(b.leg + b.bodyRY * 0.9)
        switch pose {
        case .running: return Point(b.bodyRX + 4, cy - b.headR * 0.9)
        case .sitting: return Point(b.bodyRX * 0.45, cy - b.bodyRY * 2.4)
        case .lying: return Point(b.bodyRX + 2, -b.bodyRY * 2.1)
        case .sleeping: return Point(b.bodyRX * 0.75, -b.headR * 0.95)
        default: return Point(b.bodyRX + 2, cy - b.headR * 1.25)
        }
    }

    /// The top of the back, where a hand pets the animal (local units).
    static func quadrupedBack(_ b: QuadrupedBuild, _ pose: Pose) -> Point {
        switch pose {
        case .lying, .sleeping: return Point(-b.bodyRX * 0.2, -b.bodyRY * 2)
        case .sitting: return Point(-b.bodyRX * 0.1, -(b.leg + b.bodyRY * 0.9) - b.bodyRY * 1.2)
        default: return Point(-b.bodyRX * 0.2, -(b.leg + b.bodyRY * 0.9) - b.bodyRY)
        }
    }

    static func drawQuadruped<S: Surface>(_ o: PlacedObject, build b: QuadrupedBuild, on s: inout S) {
        let pen = o.pen
        let fur = o.style.main, dark = o.style.second, light = o.style.third
        let cy = -(b.leg + b.bodyRY * 0.9)
        let fx = b.bodyRX * 0.62, r = b.legR
        let head = quadrupedHead(b, o.pose)
        let far = fur.shaded(0.78)
        switch o.pose {
        case .running:
            s.fill(pen.capsule(fx, cy, fx + 15, -r, r), far)
            s.fill(pen.capsule(-fx, cy, -fx - 12, -r, r), far)
            tail(b, pen, from: Point(-b.bodyRX + 2, cy - 2), to: Point(-b.bodyRX - 12, cy - 6), fur, &s)
            s.fill(pen.ellipse(0, cy, b.bodyRX, b.bodyRY, angle: -0.05), fur)
            s.fill(pen.capsule(fx, cy + 2, fx + 9, -r, r), fur)
            s.fill(pen.capsule(-fx, cy + 2, -fx - 16, -r + 1, r), fur)
            s.fill(pen.capsule(b.bodyRX * 0.75, cy - 2, head.x - 2, head.y + 2, b.headR * 0.62), fur)
        case .sitting:
            let bc = Point(-b.bodyRX * 0.25, cy + 1)
            tail(b, pen, from: Point(bc.x - b.bodyRX * 0.6, -r), to: Point(bc.x - b.bodyRX * 1.3, -r), fur, &s)
            s.fill(pen.capsule(fx * 0.55 + 3, cy, fx * 0.55 + 4, -r, r), far)
            s.fill(pen.ellipse(bc.x, bc.y - b.bodyRY * 0.6, b.bodyRX * 0.8, b.bodyRY * 1.05, angle: -0.75), fur)
            s.fill(pen.ellipse(bc.x - b.bodyRX * 0.3, -b.bodyRY * 0.9, b.bodyRX * 0.5, b.bodyRY * 0.9), fur)
            s.fill(pen.capsule(fx * 0.55, cy, fx * 0.55 + 1, -r, r), fur)
            s.fill(pen.capsule(bc.x + 6, bc.y - b.bodyRY, head.x, head.y + 2, b.headR * 0.62), fur)
        case .lying:
            tail(b, pen, from: Point(-b.bodyRX + 2, -b.bodyRY), to: Point(-b.bodyRX - 12, -r), fur, &s)
            s.fill(pen.ellipse(0, -b.bodyRY, b.bodyRX, b.bodyRY), fur)
            s.fill(pen.capsule(b.bodyRX * 0.5, -r, b.bodyRX + 10, -r, r), fur.shaded(0.9))
            s.fill(pen.capsule(b.bodyRX * 0.7, -b.bodyRY, head.x, head.y, b.headR * 0.62), fur)
        case .sleeping:
            s.fill(pen.ellipse(0, -b.bodyRY, b.bodyRX, b.bodyRY), fur)
            tail(b, pen, from: Point(-b.bodyRX + 3, -3), to: Point(b.bodyRX * 0.4, -2.5), fur.shaded(0.85), &s)
        default:
            s.fill(pen.capsule(fx + 3, cy, fx + 3, -r, r), far)
            s.fill(pen.capsule(-fx + 3, cy, -fx + 3, -r, r), far)
            tail(b, pen, from: Point(-b.bodyRX + 2, cy - 2), to: Point(-b.bodyRX - 9, cy - 13), fur, &s)
            s.fill(pen.ellipse(0, cy, b.bodyRX, b.bodyRY), fur)
            s.fill(pen.capsule(fx, cy + 2, fx, -r, r), fur)
            s.fill(pen.capsule(-fx, cy + 2, -fx, -r, r), fur)
            s.fill(pen.capsule(b.bodyRX * 0.7, cy - 3, head.x - 2, head.y + 2, b.headR * 0.62), fur)
        }
        if o.style.variant % 3 == 1, o.pose != .sleeping, o.pose != .sitting {
            // A patch on the back.
            s.fill(pen.ellipse(-b.bodyRX * 0.25, (o.pose == .lying ? -b.bodyRY : cy) - b.bodyRY * 0.35,
                               b.bodyRX * 0.42, b.bodyRY * 0.5), dark)
        }
        let closed = o.pose == .sleeping
        let collar = o.style.variant % 2 == 0 && [.standing, .running, .sitting].contains(o.pose)
        drawHead(b, pen, head, fur: fur, dark: dark, light: light, eyesClosed: closed, collar: collar, &s)
    }

    private static func tail<S: Surface>(_ b: QuadrupedBuild, _ pen: Pen, from a: Point, to c: Point, _ fur: Colour,
                                         _ s: inout S) {
        if b.cat {
            let mid = Point((a.x + c.x) / 2 - 2, (a.y + c.y) / 2 - 4)
            s.fill(pen.capsule(a, mid, 2.3), fur)
            s.fill(pen.capsule(mid, c, 2.3), fur)
        } else {
            s.fill(pen.capsule(a, c, 2.8), fur)
        }
    }

    private static func drawHead<S: Surface>(_ b: QuadrupedBuild, _ pen: Pen, _ h: Point, fur: Colour, dark: Colour,
                                             light: Colour, eyesClosed: Bool, collar: Bool, _ s: inout S) {
        let r = b.headR
        let ink = Colour(25, 20, 20)
        if b.cat {
            s.fill(pen.polygon([(h.x - r * 0.85, h.y - r * 0.35), (h.x - r * 0.55, h.y - r * 1.75),
                                (h.x + r * 0.05, h.y - r * 0.75)]), fur)
            s.fill(pen.polygon([(h.x + r * 0.05, h.y - r * 0.8), (h.x + r * 0.6, h.y - r * 1.75),
                                (h.x + r * 0.95, h.y - r * 0.3)]), fur)
            s.fill(pen.polygon([(h.x + r * 0.2, h.y - r * 0.85), (h.x + r * 0.58, h.y - r * 1.45),
                                (h.x + r * 0.75, h.y - r * 0.55)]), Colour(240, 150, 160))
            s.fill(pen.circle(h.x, h.y, r), fur)
            s.fill(pen.ellipse(h.x + r * 0.75, h.y + r * 0.3, r * 0.42, r * 0.32), light)
            s.fill(pen.circle(h.x + r * 1.05, h.y + r * 0.12, r * 0.17), Colour(230, 110, 130))
            s.fill(pen.capsule(h.x + r * 0.9, h.y + r * 0.45, h.x + r * 1.35, h.y + r * 0.35, 0.45), ink)
        } else {
            s.fill(pen.circle(h.x, h.y, r), fur)
            s.fill(pen.ellipse(h.x + r * 0.95, h.y + r * 0.3, r * 0.78, r * 0.5), fur.shaded(1.12))
            s.fill(pen.circle(h.x + r * 1.62, h.y + r * 0.15, r * 0.26), ink)
            s.fill(pen.ellipse(h.x - r * 0.35, h.y + r * 0.05, r * 0.4, r * 0.85, angle: 0.35), dark)
            if collar {
                s.fill(pen.capsule(h.x - r * 0.95, h.y + r * 0.55, h.x - r * 0.45, h.y + r * 1.05, r * 0.22),
                       Colour(220, 40, 40))
            }
        }
        let eye = Point(h.x + r * 0.42, h.y - r * 0.25)
        if eyesClosed {
            s.fill(pen.capsule(eye.x - r * 0.18, eye.y, eye.x + r * 0.2, eye.y, 0.55), ink)
        } else {
            s.fill(pen.circle(eye.x, eye.y, max(r * 0.17, 1.2)), ink)
        }
    }

    // MARK: Horse

    static func drawHorse<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let coat = o.style.main, mane = o.style.second
        let hoof = Colour(40, 35, 30)
        let far = coat.shaded(0.78)
        let cy = -52.0
        s.fill(pen.capsule(27, cy, 29, -4.2, 4.2), far)
        s.fill(pen.capsule(-23, cy, -21, -4.2, 4.2), far)
        s.fill(pen.capsule(-33, cy - 6, -42, cy + 16, 4.5), mane)
        s.fill(pen.ellipse(0, cy, 35, 14), coat)
        s.fill(pen.capsule(24, cy, 24, -4.3, 4.3), coat)
        s.fill(pen.capsule(-26, cy, -26, -4.3, 4.3), coat)
        s.fill(pen.rect(20, -5, 28.5, 0, corner: 1), hoof)
        s.fill(pen.rect(-30.5, -5, -22, 0, corner: 1), hoof)
        s.fill(pen.capsule(24, -57, 38, -82, 8.5), coat)
        s.fill(pen.capsule(20, -63, 33, -89, 3.2), mane)
        s.fill(pen.polygon([(35, -88), (37, -98), (41, -89)]), coat)
        s.fill(pen.ellipse(46, -78, 15, 8, angle: 0.6), coat)
        s.fill(pen.circle(54.5, -68.5, 2.2), Colour(30, 25, 25))
        s.fill(pen.circle(42, -84, 1.8), Colour(25, 20, 20))
        if o.style.variant % 2 == 1 {
            s.fill(pen.polygon([(-13, -67), (9, -67), (7, -58), (-11, -58)]), Colour(170, 40, 40))
        }
    }

    // MARK: Bird

    static func drawBird<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let body = o.style.main, wing = o.style.main.shaded(0.7), beak = Colour(250, 170, 30)
        if o.pose == .flying {
            s.fill(pen.polygon([(-4, -15), (5, -15), (-8, -31)]), wing.shaded(0.85))
        } else {
            s.fill(pen.capsule(-2, -7, -3, -0.8, 0.9), Colour(200, 120, 40))
            s.fill(pen.capsule(2, -7, 2, -0.8, 0.9), Colour(200, 120, 40))
        }
        s.fill(pen.polygon([(-8, -12), (-19, -17), (-18, -9)]), wing)
        s.fill(pen.ellipse(0, -12, 10, 6.5, angle: -0.15), body)
        s.fill(pen.circle(8, -18.5, 5.5), body)
        s.fill(pen.polygon([(12.5, -20.5), (18.5, -18.5), (12.5, -16.3)]), beak)
        s.fill(pen.circle(9.6, -19.6, 1.2), Colour(20, 20, 20))
        if o.pose == .flying {
            s.fill(pen.polygon([(-5, -13), (5, -13), (-2, -33)]), wing)
        } else {
            s.fill(pen.ellipse(-2, -12, 7, 3.8, angle: -0.25), wing)
        }
    }

    // MARK: Small things

    /// Ball radius in local units.
    static let ballRadius = 11.0

    static func drawBall<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let r = ballRadius
        s.fill(pen.circle(0, -r, r), o.style.main)
        if o.style.variant % 2 == 0 {
            s.fill(pen.ellipse(0, -r, r * 0.95, r * 0.3, angle: 0.6), o.style.second)
        } else {
            s.fill(pen.ellipse(-r * 0.1, -r, r * 0.35, r * 0.93, angle: 0.3), o.style.second)
            s.fill(pen.ellipse(r * 0.55, -r * 1.05, r * 0.22, r * 0.75, angle: 0.3), o.style.third)
        }
        s.fill(pen.circle(-r * 0.4, -r * 1.4, r * 0.2), Colour.white, opacity: 0.7)
    }

    static func drawCup<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        s.fill(pen.ring(10, -12, 5.5, thickness: 2.8), o.style.main.shaded(0.85))
        s.fill(pen.polygon([(-9.5, -22), (9.5, -22), (7.5, 0), (-7.5, 0)]), o.style.main)
        s.fill(pen.polygon([(-8.9, -15.5), (8.9, -15.5), (8.5, -11), (-8.5, -11)]), o.style.second)
        s.fill(pen.ellipse(0, -22, 9.5, 2.2), o.style.main.shaded(0.6))
    }

    static func drawBook<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let cover = o.style.main
        if o.pose == .open {
            let page = Colour(248, 246, 235)
            s.fill(pen.polygon([(-19, -1.5), (0, 1), (0, -21), (-19, -24)]), cover)
            s.fill(pen.polygon([(19, -1.5), (0, 1), (0, -21), (19, -24)]), cover.shaded(0.85))
            s.fill(pen.polygon([(-17, -3), (-0.6, -1), (-0.6, -20), (-17, -22)]), page)
            s.fill(pen.polygon([(17, -3), (0.6, -1), (0.6, -20), (17, -22)]), page.shaded(0.92))
            for i in 0..<3 {
                let y = -16.0 + Double(i) * 4.5
                s.fill(pen.capsule(-14, y - 0.5, -3, y + 0.3, 0.6), Colour(120, 120, 130))
                s.fill(pen.capsule(3, y + 0.3, 14, y - 0.5, 0.6), Colour(120, 120, 130))
            }
        } else {
            s.fill(pen.rect(-12, -31, 12, 0, corner: 1.5), cover)
            s.fill(pen.rect(-12, -31, -7.5, 0, corner: 1.5), cover.shaded(0.7))
            s.fill(pen.rect(-4, -25, 8, -18, corner: 1), o.style.second)
        }
    }

    // MARK: Furniture

    static func drawTable<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let wood = o.style.main
        s.fill(pen.rect(-41, -44, -35, 0), wood.shaded(0.85))
        s.fill(pen.rect(35, -44, 41, 0), wood.shaded(0.85))
        s.fill(pen.rect(-40, -45, 40, -40), wood.shaded(0.7))
        s.fill(pen.rect(-46, -50, 46, -44, corner: 1.5), wood)
    }

    static func drawChair<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let c = o.style.main
        s.fill(pen.rect(-17, -64, -12, 0, corner: 1), c.shaded(0.85))
        s.fill(pen.rect(11, -25, 16, 0, corner: 1), c.shaded(0.85))
        s.fill(pen.rect(-18, -66, -9, -60, corner: 2), c)
        s.fill(pen.rect(-17, -49, -10, -45), c.shaded(0.7))
        s.fill(pen.rect(-17, -30, 17, -24, corner: 1.5), c)
    }

    static func drawSofa<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let c = o.style.main
        let leg = Colour(60, 40, 25)
        s.fill(pen.rect(-50, -7, -46, 0), leg)
        s.fill(pen.rect(46, -7, 50, 0), leg)
        s.fill(pen.rect(-52, -56, 52, -26, corner: 8), c.shaded(0.8))
        s.fill(pen.rect(-54, -15, 54, -6, corner: 2), c.shaded(0.65))
        s.fill(pen.rect(-47, -32, 47, -12, corner: 4), c)
        s.fill(pen.rect(-0.8, -31, 0.8, -14), c.shaded(0.6))
        s.fill(pen.rect(-59, -42, -45, -9, corner: 6), c.shaded(0.92))
        s.fill(pen.rect(45, -42, 59, -9, corner: 6), c.shaded(0.92))
    }

    // MARK: Vehicles

    static func drawCar<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let paint = o.style.main
        let glass = Colour(170, 215, 240)
        s.fill(pen.polygon([(-38, -37), (-27, -60), (21, -60), (36, -37)]), paint.shaded(0.92))
        s.fill(pen.rect(-63, -39, 63, -12, corner: 8), paint)
        s.fill(pen.polygon([(-32, -39), (-24, -56), (-7, -56), (-7, -39)]), glass)
        s.fill(pen.polygon(carFrontWindow.map { ($0.x, $0.y) }), glass)
        s.fill(pen.rect(-5.5, -37, -3.5, -15), paint.shaded(0.7))
        s.fill(pen.rect(6, -32, 12, -30, corner: 1), paint.shaded(0.6))
        s.fill(pen.ellipse(60, -30, 3, 4), Colour(255, 235, 120))
        s.fill(pen.rect(-63, -34, -59, -26, corner: 1), Colour(200, 30, 30))
        for x in [-38.0, 38.0] {
            s.fill(pen.circle(x, -13, 13), Colour(35, 35, 38))
            s.fill(pen.circle(x, -13, 5.5), Colour(180, 180, 185))
        }
    }

    static func drawBicycle<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let frame = o.style.main
        let tyre = Colour(35, 35, 38)
        for x in [-26.0, 26.0] {
            s.fill(pen.ring(x, -16, 14.5, thickness: 3.2), tyre)
            s.fill(pen.circle(x, -16, 2), Colour(150, 150, 155))
        }
        let rear = Point(-26, -16), crank = bicycleCrank, seat = Point(-7, -42), head = Point(18, -40)
        let headLow = Point(19, -34), front = Point(26, -16)
        s.fill(pen.capsule(rear, crank, 2), frame)
        s.fill(pen.capsule(rear, seat, 2), frame)
        s.fill(pen.capsule(crank, seat, 2.2), frame)
        s.fill(pen.capsule(seat, head, 2.2), frame)
        s.fill(pen.capsule(crank, headLow, 2.2), frame)
        s.fill(pen.capsule(head, front, 2), frame)
        s.fill(pen.capsule(seat, Point(-8, -45), 1.5), Colour(60, 60, 60))
        s.fill(pen.ellipse(bicycleSaddle.x, bicycleSaddle.y + 1, 6.5, 2.3), Colour(40, 35, 30))
        s.fill(pen.capsule(head, Point(17, -49), 1.6), Colour(70, 70, 75))
        s.fill(pen.capsule(Point(15, -50), Point(22, -50), 1.6), Colour(40, 40, 40))
        s.fill(pen.circle(crank.x, crank.y, 3.2), Colour(70, 70, 75))
    }

    // MARK: Tree and lamp

    /// The lowest point of a round tree's crown above the ground (local units).
    static let treeCrownBottom = 50.0

    static func drawTree<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let leaf = o.style.main
        let bark = Colour(110, 72, 40)
        if o.style.variant % 2 == 0 {
            s.fill(pen.rect(-5.5, -60, 5.5, 0, corner: 1), bark)
            s.fill(pen.circle(-19, -68, 18), leaf.shaded(0.82))
            s.fill(pen.circle(20, -70, 18), leaf.shaded(0.88))
            s.fill(pen.circle(0, -86, 27), leaf)
            s.fill(pen.circle(-6, -104, 16), leaf)
        } else {
            s.fill(pen.rect(-4.5, -30, 4.5, 0, corner: 1), bark)
            s.fill(pen.polygon([(-30, -26), (30, -26), (0, -78)]), leaf.shaded(0.8))
            s.fill(pen.polygon([(-25, -54), (25, -54), (0, -102)]), leaf.shaded(0.9))
            s.fill(pen.polygon([(-18, -82), (18, -82), (0, -124)]), leaf)
        }
    }

    static func drawLamp<S: Surface>(_ o: PlacedObject, on s: inout S) {
        let pen = o.pen
        let shade = o.style.main
        let metal = Colour(70, 70, 75)
        let tall = o.style.variant % 2 == 0
        let top = tall ? 64.0 : 30.0
        let sw = tall ? 15.0 : 12.0, sh = tall ? 22.0 : 17.0
        s.fill(pen.ellipse(0, -2.5, tall ? 11 : 9, 2.5), metal)
        s.fill(pen.capsule(0, -3, 0, -top, tall ? 1.8 : 2.2), metal)
        s.fill(pen.circle(0, -top + 3, 4.5), Colour(255, 240, 160))
        s.fill(pen.polygon([(-sw, -top + 4), (sw, -top + 4), (sw * 0.6, -top + 4 - sh), (-sw * 0.6, -top + 4 - sh)]),
               shade)
    }
}
