/// Lays out one scene: the action's main group of objects, distractor objects with their own relations,
/// and things put on, under or above others. Every relation it records is built into the geometry.
struct SceneComposer {
    let width: Int
    let height: Int
    var rng: SceneRNG
    /// Kinds to bring into the scene first as standing distractors.
    var wanted: [ObjectKind] = []
    /// Kinds to attach (on, under, above something) whenever possible; never used as distractors.
    var eager: [ObjectKind] = []

    /// Pixels per local unit for a medium-sized object.
    var unit: Double { Double(height) / 192 }

    /// A group of objects composed together, x relative to the group (shifted when placed), y absolute.
    struct Group {
        var objects: [PlacedObject] = []
        var relations: [PlacedRelation] = []
        /// Indices of objects standing on the ground (candidates for relations with neighbours).
        var grounded: [Int] = []
        /// Surfaces already taken, as "kind:surface" (surfaces: top, under, roof).
        var used: Set<String> = []

        mutating func add(_ o: PlacedObject, grounded g: Bool = true) -> Int {
            objects.append(o)
            if g { grounded.append(objects.count - 1) }
            return objects.count - 1
        }

        func bounds() -> ShapeBounds {
            var b = ShapeBounds()
            for o in objects {
                let ob = Pictogram.bounds(of: o)
                b.x1 = min(b.x1, ob.x1); b.y1 = min(b.y1, ob.y1)
                b.x2 = max(b.x2, ob.x2); b.y2 = max(b.y2, ob.y2)
            }
            return b
        }

        /// Moves the group right by a whole number of pixels (clip boxes move with it).
        mutating func shift(_ dx: Int) {
            for i in objects.indices {
                objects[i].origin.x += Double(dx)
                if let c = objects[i].clip { objects[i].clip = (c.x1 + dx, c.y1, c.x2 + dx, c.y2) }
            }
        }
    }

    init(width: Int, height: Int, rng: SceneRNG) {
        self.width = width
        self.height = height
        self.rng = rng
    }

    // MARK: Objects

    mutating func make(_ kind: ObjectKind, x: Double, y: Double, size: Double, facing: Double, pose: Pose = .standing)
        -> PlacedObject
    {
        PlacedObject(kind: kind, origin: Point(x, y), scale: size, facing: facing,
                    style: .random(for: kind, rng: &rng), pose: pose, clip: nil)
    }

    /// A size factor around 1 for one object.
    mutating func vary(_ lo: Double = 0.9, _ hi: Double = 1.1) -> Double { unit * rng.double(lo...hi) }

    // MARK: Whole scene

    /// Composes a scene for `action`, or nil when this attempt does not fit the image.
    /// `exclude` lists kinds that must not appear besides the action's own two.
    mutating func compose(action: SceneAction, place: Place, exclude: Set<ObjectKind>) -> Scene? {
        let groundY = (Double(height) * rng.double(0.85...0.9)).rounded()
        let backdrop = Backdrop.random(for: place, width: width, height: height, groundY: groundY, rng: &rng)
        guard var main = mainGroup(action, groundY: groundY) else { return nil }
        var present = Set(main.objects.map(\.kind))

        // Distractor groups standing on the ground.
        var groups: [Group] = [main]
        let candidates = distractorKinds(place.setting).filter { !present.contains($0) && !exclude.contains($0) && !eager.contains($0) }
        var count = rng.pick([0, 1, 1, 2, 2, 2, 3])
        var chosen = rng.shuffled(candidates)
        let first = chosen.filter { wanted.contains($0) }
        if !first.isEmpty {
            chosen = first + chosen.filter { !wanted.contains($0) }
            count = max(count, first.count)
        }
        for kind in chosen.prefix(count) {
            groups.append(distractor(kind, setting: place.setting, groundY: groundY))
            present.insert(kind)
        }

        // Fit along the ground, dropping distractors until everything fits.
        let margin = 3 * unit
        var widths: [Double] = []
        while true {
            widths = groups.map { g in let b = g.bounds(); return b.x2 - b.x1 }
            if widths.reduce(0, +) + 2 * margin + Double(groups.count - 1) * 4 * unit <= Double(width) { break }
            if groups.count == 1 { return nil }
            groups.removeLast()
            widths.removeLast()
        }
        let order = rng.shuffled(Array(groups.indices))
        // Gaps: near (3–10 units, "next to") or far (≥ 22 units, "left of"/"right of").
        var free = Double(width) - 2 * margin - widths.reduce(0, +)
        var gaps: [Double] = []
        var near: [Bool] = []
        for _ in 0..<max(order.count - 1, 0) {
            let isNear = rng.chance(0.45)
            near.append(isNear)
            gaps.append(isNear ? rng.double(3...9) * unit : 22 * unit)
        }
        free -= gaps.reduce(0, +)
        while free < 0, let i = near.firstIndex(of: false) {
            // Not enough room for a far gap: make it near.
            near[i] = true
            let g = rng.double(3...9) * unit
            free += gaps[i] - g
            gaps[i] = g
        }
        if free < 0 { return nil }
        // Share the rest among the far gaps and the two margins.
        var weights = [rng.unit(), rng.unit()] + near.map { $0 ? 0 : rng.double(0.5...1.5) }
        let total = weights.reduce(0, +)
        if total > 0 { weights = weights.map { $0 / total } }
        let leftMargin = margin + free * weights[0]
        for i in gaps.indices where !near[i] { gaps[i] += free * weights[2 + i] }

        // Place groups left to right.
        var x = leftMargin
        var placed: [Group] = []
        for (k, gi) in order.enumerated() {
            var g = groups[gi]
            let b = g.bounds()
            let dx = Int((x - b.x1).rounded())
            g.shift(dx)
            placed.append(g)
            x += widths[gi] + (k < gaps.count ? gaps[k] : 0)
        }

        // Merge into one scene.
        var objects: [PlacedObject] = []
        var relations: [PlacedRelation] = []
        var offsets: [Int] = []
        var used: Set<String> = []
        for g in placed {
            let base = objects.count
            offsets.append(base)
            objects += g.objects
            relations += g.relations.map { PlacedRelation(subject: $0.subject + base, predicate: $0.predicate,
                                                         object: $0.object + base) }
            used.formUnion(g.used)
        }
        // Main relations first.
        let mainPosition = order.firstIndex(of: 0)!
        main = placed[mainPosition]
        let mainBase = offsets[mainPosition]
        let mainRelations = main.relations.map { PlacedRelation(subject: $0.subject + mainBase, predicate: $0.predicate,
                                                                object: $0.object + mainBase) }
        relations = mainRelations + relations.filter { !mainRelations.contains($0) }

        // Relations between neighbouring groups: each distractor group to one neighbour.
        for k in placed.indices where k != mainPosition {
            var options: [(Int, Bool)] = []  // (neighbour position, neighbour is to the right)
            if k > 0 { options.append((k - 1, false)) }
            if k < placed.count - 1 { options.append((k + 1, true)) }
            guard !options.isEmpty else { continue }
            let (n, toRight) = rng.pick(options)
            let subject = nearest(placed[k], offset: offsets[k], toRight: toRight)
            let object = nearest(placed[n], offset: offsets[n], toRight: !toRight)
            let sb = Pictogram.bounds(of: objects[subject]), ob = Pictogram.bounds(of: objects[object])
            let gap = toRight ? ob.x1 - sb.x2 : sb.x1 - ob.x2
            if gap < 0 { continue }
            let predicate: ScenePredicate
            if gap <= 10 * unit {
                predicate = .nextTo
            } else if gap >= 20 * unit {
                predicate = toRight ? .leftOf : .rightOf
            } else {
                continue
            }
            // One relation per pair of objects.
            if relations.contains(where: { Set([$0.subject, $0.object]) == Set([subject, object]) }) { continue }
            relations.append(PlacedRelation(subject: subject, predicate: predicate, object: object))
        }

        var scene = Scene(width: width, height: height, place: place, action: action, objects: objects,
                          relations: relations, lines: [], groundY: groundY, backdrop: backdrop,
                          noise: rng.double(1...2.5), blur: rng.chance(0.6))
        addAttachments(&scene, used: &used, exclude: exclude)
        addLeash(&scene)
        // Everything must lie inside the image.
        for o in scene.objects {
            let b = Pictogram.bounds(of: o)
            if b.x1 < 1 || b.y1 < 1 || b.x2 > Double(width) - 1 || b.y2 > Double(height) - 1 { return nil }
        }
        return scene
    }

    /// The grounded object of a group closest to one side.
    private func nearest(_ g: Group, offset: Int, toRight: Bool) -> Int {
        var best = g.grounded.first ?? 0
        var bestX = toRight ? -Double.infinity : Double.infinity
        for i in g.grounded {
            let b = Pictogram.bounds(of: g.objects[i])
            if toRight ? b.x2 > bestX : b.x1 < bestX {
                bestX = toRight ? b.x2 : b.x1
                best = i
            }
        }
        return best + offset
    }

    /// Kinds that can stand around as distractors.
    func distractorKinds(_ setting: Setting) -> [ObjectKind] { Self.distractorKinds(setting) }

    static func distractorKinds(_ setting: Setting) -> [ObjectKind] {
        switch setting {
        case .indoor: return [.lamp, .chair, .table, .sofa, .ball, .cat, .dog, .person]
        case .outdoor: return [.tree, .car, .bicycle, .ball, .dog, .cat, .horse, .person]
        }
    }

    /// Every kind that can appear in a setting (as distractor or attachment).
    static func kinds(in setting: Setting) -> Set<ObjectKind> {
        switch setting {
        case .indoor: return Set(distractorKinds(.indoor) + [.cup, .book])
        case .outdoor: return Set(distractorKinds(.outdoor) + [.bird])
        }
    }

    /// Whether an attachment of `kind` happens: always for wanted kinds, else with probability `p`.
    mutating func attach(_ kind: ObjectKind, _ p: Double) -> Bool {
        rng.chance(p) || eager.contains(kind)
    }

    // MARK: Distractors

    mutating func distractor(_ kind: ObjectKind, setting: Setting, groundY: Double) -> Group {
        var g = Group()
        let facing = rng.sign()
        switch kind {
        case .person:
            let pose: PersonSkeleton = rng.chance(0.5) ? .standing() : .walking(stride: rng.double(7...11))
            _ = g.add(make(.person, x: 0, y: groundY, size: vary(0.92, 1.05), facing: facing, pose: .person(pose)))
        case .dog:
            _ = g.add(make(.dog, x: 0, y: groundY, size: vary(0.9, 1.15), facing: facing,
                           pose: rng.pick([.standing, .sitting, .lying])))
        case .cat:
            _ = g.add(make(.cat, x: 0, y: groundY, size: vary(0.95, 1.15), facing: facing,
                           pose: rng.pick([.standing, .sitting, .lying, .sleeping])))
        case .ball:
            _ = g.add(make(.ball, x: 0, y: groundY, size: vary(0.9, 1.2), facing: facing))
        case .lamp:
            var lamp = make(.lamp, x: 0, y: groundY, size: vary(1.0, 1.15), facing: facing)
            lamp.style.variant &= ~1
            _ = g.add(lamp)
        case .horse:
            _ = g.add(make(.horse, x: 0, y: groundY, size: vary(0.9, 1.0), facing: facing))
        case .tree:
            _ = g.add(make(.tree, x: 0, y: groundY, size: vary(0.9, 1.1), facing: facing))
        case .car:
            _ = g.add(make(.car, x: 0, y: groundY, size: vary(0.85, 1.0), facing: facing))
        default:
            _ = g.add(make(kind, x: 0, y: groundY, size: vary(0.95, 1.1), facing: facing))
        }
        return g
    }

    // MARK: Attachments

    /// Puts small things on tables, under tables and chairs, on cars, and birds above things.
    mutating func addAttachments(_ scene: inout Scene, used: inout Set<String>, exclude: Set<ObjectKind>) {
        func present(_ k: ObjectKind) -> Bool { scene.index(of: k) != nil || exclude.contains(k) }
        // On the table.
        if let t = scene.index(of: .table), !used.contains("table:top") {
            let table = scene.objects[t]
            var slots: [Double] = rng.shuffled([-30.0, -10, 10, 30])
            for kind in rng.shuffled([ObjectKind.cup, .book, .lamp, .ball]) where !present(kind) && attach(kind, 0.45) {
                guard let slot = slots.popLast() else { break }
                let top = table.pen.p(slot + rng.double(-3...3), -Pictogram.supportTop(.table))
                var item = make(kind, x: top.x, y: top.y, size: table.scale * rng.double(0.85...1.0),
                                facing: rng.sign())
                if kind == .lamp { item.style.variant |= 1 }
                if kind == .ball { item.scale = table.scale * rng.double(0.8...0.95) }
                scene.objects.insert(item, at: t + 1)
                shiftIndices(&scene, from: t + 1)
                scene.relations.append(PlacedRelation(subject: t + 1, predicate: .on, object: t))
                used.insert("table:top")
            }
        }
        // Under the table or chair.
        for support in [ObjectKind.table, .chair] {
            guard let t = scene.index(of: support), !used.contains("\(support.name):under") else { continue }
            let s = scene.objects[t]
            let space = Pictogram.underSpace(support)
            let options: [ObjectKind] = support == .table ? [.ball, .cat, .dog] : [.ball]
            for kind in rng.shuffled(options) where !present(kind) && attach(kind, 0.35) {
                var item = make(kind, x: 0, y: scene.groundY, size: s.scale, facing: rng.sign(),
                                pose: kind == .ball ? .standing : rng.pick([.sleeping, .lying]))
                if kind == .ball { item.scale = s.scale * rng.double(0.8...0.95) }
                // Fit inside the clear space: shrink until it does.
                let spanWidth = (space.span.upperBound - space.span.lowerBound) * s.scale
                let clearHeight = space.height * s.scale
                var b = Pictogram.bounds(of: item)
                while (b.x2 - b.x1 > spanWidth - 2 || b.y2 - b.y1 > clearHeight - 2) && item.scale > 0.3 * unit {
                    item.scale *= 0.92
                    b = Pictogram.bounds(of: item)
                }
                if b.x2 - b.x1 > spanWidth - 2 || b.y2 - b.y1 > clearHeight - 2 { continue }
                let room = spanWidth - 2 - (b.x2 - b.x1)
                let left = s.origin.x + s.facing * space.span.lowerBound * s.scale
                let right = s.origin.x + s.facing * space.span.upperBound * s.scale
                let spanX1 = min(left, right) + 1
                item.origin.x += spanX1 - b.x1 + rng.double(0...max(room, 0))
                scene.objects.insert(item, at: t + 1)
                shiftIndices(&scene, from: t + 1)
                scene.relations.append(PlacedRelation(subject: t + 1, predicate: .under, object: t))
                used.insert("\(support.name):under")
                break
            }
        }
        // On the car roof.
        if let c = scene.index(of: .car), !used.contains("car:roof") {
            let car = scene.objects[c]
            for kind in rng.shuffled([ObjectKind.bird, .cat]) where !present(kind) && attach(kind, 0.3) {
                let top = car.pen.p(rng.double(-18...12), -Pictogram.supportTop(.car))
                let item = make(kind, x: top.x, y: top.y, size: car.scale * rng.double(0.8...0.95), facing: rng.sign(),
                                pose: kind == .cat ? rng.pick([.sitting, .lying, .sleeping]) : .standing)
                scene.objects.insert(item, at: c + 1)
                shiftIndices(&scene, from: c + 1)
                scene.relations.append(PlacedRelation(subject: c + 1, predicate: .on, object: c))
                used.insert("car:roof")
                break
            }
        }
        // A bird flying above something, if the sky above it is free.
        if scene.place.setting == .outdoor, !present(.bird), attach(.bird, 0.4) {
            let targets = scene.objects.indices.filter { [.tree, .car, .horse, .bicycle, .person].contains(scene.objects[$0].kind) }
            if let t = targets.isEmpty ? nil : rng.pick(targets) {
                let tb = Pictogram.bounds(of: scene.objects[t])
                var bird = make(.bird, x: 0, y: 0, size: vary(0.85, 1.0), facing: rng.sign(), pose: .flying)
                let bb = Pictogram.bounds(of: bird)
                let gap = rng.double(5...14) * unit
                let bottom = tb.y1 - gap
                let birdHeight = bb.y2 - bb.y1
                let cx = rng.double((tb.x1 + (bb.x2 - bb.x1) / 2)...max(tb.x1 + (bb.x2 - bb.x1) / 2, tb.x2 - (bb.x2 - bb.x1) / 2))
                bird.origin = Point(cx - (bb.x1 + bb.x2) / 2, bottom - bb.y2)
                let nb = Pictogram.bounds(of: bird)
                let clear = scene.objects.allSatisfy { o in
                    let ob = Pictogram.bounds(of: o)
                    return ob.x2 < nb.x1 - 2 || ob.x1 > nb.x2 + 2 || ob.y2 < nb.y1 - 2 || ob.y1 > nb.y2 + 2
                }
                if bottom - birdHeight > 2, clear {
                    scene.objects.append(bird)
                    scene.relations.append(PlacedRelation(subject: scene.objects.count - 1, predicate: .above, object: t))
                }
            }
        }
    }

    /// Renumbers relations after inserting an object at `index`.
    private func shiftIndices(_ scene: inout Scene, from index: Int) {
        for i in scene.relations.indices {
            if scene.relations[i].subject >= index { scene.relations[i].subject += 1 }
            if scene.relations[i].object >= index { scene.relations[i].object += 1 }
        }
    }

    /// Draws the leash of a "walking" relation from the person's hand to the dog's neck.
    mutating func addLeash(_ scene: inout Scene) {
        guard let r = scene.relations.first(where: { $0.predicate == .walking }) else { return }
        let person = scene.objects[r.subject], dog = scene.objects[r.object]
        guard case .person(let k) = person.pose else { return }
        let hand = person.pen.p(k.frontHand)
        let head = Pictogram.quadrupedHead(.dog, dog.pose)
        let neck = dog.pen.p(head.x - 7, head.y + 6)
        scene.lines.append(SceneLine(from: hand, to: neck, width: 0.9 * unit, colour: Colour(150, 30, 30)))
    }
}
