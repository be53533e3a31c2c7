extension SceneComposer {
    /// Builds the objects of an action's main relation (plus a seat for a seated reader) at x ≈ 0.
    /// Nil when this attempt's sizes cannot make the relation true (the caller tries again).
    mutating func mainGroup(_ action: SceneAction, groundY g: Double) -> Group? {
        var group = Group()
        let f = rng.sign()
        let t = action.triple
        switch (t.subject, t.predicate, t.object) {
        case (.person, .riding, .bicycle):
            let bike = make(.bicycle, x: 0, y: g, size: vary(1.0, 1.15), facing: f)
            let sp = bike.scale * 0.95
            let hip = bike.pen.p(-9, -51)
            var person = make(.person, x: hip.x, y: hip.y, size: sp, facing: f)
            let pen = person.pen
            person.pose = .person(.posed(hip: Point(0, 0), neck: Point(9, -32),
                                         backFoot: pen.local(bike.pen.p(-5, -21)), frontFoot: pen.local(bike.pen.p(5, -11)),
                                         backHand: pen.local(bike.pen.p(17, -50)), frontHand: pen.local(bike.pen.p(19, -50))))
            let b = group.add(bike)
            let p = group.add(person, grounded: false)
            group.relations.append(PlacedRelation(subject: p, predicate: .riding, object: b))

        case (.person, .riding, .horse):
            var horse = make(.horse, x: 0, y: g, size: vary(0.88, 0.98), facing: f)
            horse.style.variant |= 1
            let sp = horse.scale * 0.95
            let hip = horse.pen.p(-2, -71)
            var person = make(.person, x: hip.x, y: hip.y, size: sp, facing: f)
            let pen = person.pen
            person.pose = .person(.posed(hip: Point(0, 0), neck: Point(4, -33),
                                         backFoot: pen.local(horse.pen.p(2, -40)), frontFoot: pen.local(horse.pen.p(5, -40)),
                                         backHand: pen.local(horse.pen.p(20, -72)), frontHand: pen.local(horse.pen.p(22, -73))))
            let h = group.add(horse)
            let p = group.add(person, grounded: false)
            group.relations.append(PlacedRelation(subject: p, predicate: .riding, object: h))

        case (.person, .sittingOn, let seat):
            let s = group.add(make(seat, x: 0, y: g, size: vary(1.0, 1.1), facing: f))
            let p = group.add(seatedPerson(on: group.objects[s], groundY: g, facing: seat == .chair ? f : rng.sign(),
                                           handsOnLap: rng.chance(0.5)))
            group.relations.append(PlacedRelation(subject: p, predicate: .sittingOn, object: s))
            group.used.insert("\(seat.name):under")

        case (.person, .holding, .cup):
            let sp = vary(0.95, 1.05)
            let hand = Point(15, -60)
            var skeleton = PersonSkeleton.posed(hip: Point(0, -46), neck: Point(0, -79), backFoot: Point(-4, 0),
                                                frontFoot: Point(5, 0), backHand: Point(-5, -49), frontHand: hand)
            if rng.chance(0.4) { skeleton = .posed(hip: Point(0, -45), neck: Point(1, -78), backFoot: Point(-9, 0),
                                                   frontFoot: Point(9, 0), backHand: Point(-8, -52), frontHand: hand) }
            let person = make(.person, x: 0, y: g, size: sp, facing: f, pose: .person(skeleton))
            let cs = vary(0.95, 1.05)
            let handPx = person.pen.p(hand)
            let cup = make(.cup, x: handPx.x + f * 8 * cs, y: handPx.y + 11 * cs, size: cs, facing: -f)
            let p = group.add(person)
            let c = group.add(cup, grounded: false)
            group.relations.append(PlacedRelation(subject: p, predicate: .holding, object: c))

        case (.person, .holding, .book):
            let seated = rng.chance(0.5)
            var seatIndex: Int?
            var person: PlacedObject
            if seated {
                let seat = rng.chance(0.6) ? ObjectKind.chair : .sofa
                seatIndex = group.add(make(seat, x: 0, y: g, size: vary(1.0, 1.1), facing: f))
                person = seatedPerson(on: group.objects[seatIndex!], groundY: g, facing: f, handsOnLap: true)
                group.used.insert("\(seat.name):under")
            } else {
                person = make(.person, x: 0, y: g, size: vary(0.95, 1.05), facing: f, pose: .person(.standing()))
            }
            guard case .person(var k) = person.pose else { return group }
            let front = Point(k.hip.x + 15, k.hip.y - 20), back = Point(k.hip.x + 13, k.hip.y - 19)
            k = .posed(hip: k.hip, neck: k.neck, backFoot: k.backFoot, frontFoot: k.frontFoot, backHand: back,
                       frontHand: front)
            k.eyesDown = true
            person.pose = .person(k)
            let bs = person.scale * rng.double(0.8...0.9)
            let handPx = person.pen.p(front)
            let book = make(.book, x: handPx.x + f * 5 * bs, y: handPx.y + 9 * bs, size: bs, facing: f, pose: .open)
            let p = group.add(person, grounded: !seated)
            let b = group.add(book, grounded: false)
            group.relations.append(PlacedRelation(subject: p, predicate: .holding, object: b))
            if let s = seatIndex {
                group.relations.append(PlacedRelation(subject: p, predicate: .sittingOn, object: s))
            }

        case (.person, .kicking, .ball):
            let skeleton = PersonSkeleton.posed(hip: Point(0, -46), neck: Point(-2, -79), backFoot: Point(-6, 0),
                                                frontFoot: Point(20, -9), backHand: Point(10, -56),
                                                frontHand: Point(-12, -54))
            let person = make(.person, x: 0, y: g, size: vary(0.95, 1.05), facing: f, pose: .person(skeleton))
            let bs = vary(1.0, 1.2)
            let r = Pictogram.ballRadius * bs
            let toe = person.pen.p(skeleton.frontFoot.x + 9, 0)
            let ball = make(.ball, x: toe.x + f * (r + 0.5), y: g, size: bs, facing: f)
            let p = group.add(person)
            let b = group.add(ball)
            group.relations.append(PlacedRelation(subject: p, predicate: .kicking, object: b))

        case (.person, .throwing, .ball):
            let skeleton = PersonSkeleton.posed(hip: Point(0, -46), neck: Point(1, -79), backFoot: Point(-7, 0),
                                                frontFoot: Point(8, 0), backHand: Point(-14, -58),
                                                frontHand: Point(9, -104))
            let person = make(.person, x: 0, y: g, size: vary(0.92, 1.0), facing: f, pose: .person(skeleton))
            let bs = vary(1.0, 1.15)
            let r = Pictogram.ballRadius * bs
            let hand = person.pen.p(skeleton.frontHand)
            let centre = Point(hand.x + f * 2 * person.scale, hand.y - 3 * person.scale - r + 1)
            let ball = make(.ball, x: centre.x, y: centre.y + r, size: bs, facing: f)
            let p = group.add(person)
            let b = group.add(ball, grounded: false)
            group.relations.append(PlacedRelation(subject: p, predicate: .throwing, object: b))

        case (.person, .walking, .dog):
            let skeleton = PersonSkeleton.posed(hip: Point(0, -45), neck: Point(1, -78), backFoot: Point(-9, 0),
                                                frontFoot: Point(9, 0), backHand: Point(-8, -52),
                                                frontHand: Point(14, -56))
            let person = make(.person, x: 0, y: g, size: vary(0.95, 1.05), facing: f, pose: .person(skeleton))
            let dog = make(.dog, x: f * rng.double(42...56) * unit, y: g, size: vary(0.95, 1.1), facing: f,
                           pose: .standing)
            let p = group.add(person)
            let d = group.add(dog)
            group.relations.append(PlacedRelation(subject: p, predicate: .walking, object: d))

        case (.person, .petting, let animal):
            // Bent over the animal, shoulders a little above its back; the near hand rests on the back.
            let sp = vary(0.95, 1.05)
            let build: Pictogram.QuadrupedBuild = animal == .dog ? .dog : .cat
            let pose: Pose = rng.pick(animal == .dog ? [.standing, .sitting, .lying] : [.standing, .sitting, .lying, .sleeping])
            var pet = make(animal, x: 0, y: g, size: animal == .dog ? vary(0.9, 1.0) : vary(1.0, 1.15),
                           facing: rng.sign(), pose: pose)
            let back = Pictogram.quadrupedBack(build, pose)
            let along = (f * pet.facing > 0 ? -0.45 : 0.45) * build.bodyRX
            let backHeight = -(back.y - 2.5) * pet.scale / sp
            let arm = PersonSkeleton.upperArm + PersonSkeleton.forearm - 1
            let shoulderHeight = backHeight + 0.62 * arm
            let neck = Point(16, -(shoulderHeight + 3))
            let hip = Point(-3, -min(max(shoulderHeight + 3 - 27, 9), 44))
            let reachX = neck.x + (arm * arm - (0.62 * arm) * (0.62 * arm)).squareRoot() * 0.92
            var person = make(.person, x: 0, y: g, size: sp, facing: f)
            let hand = person.pen.p(reachX, -backHeight)
            pet.origin.x = hand.x - pet.facing * pet.scale * (back.x + along)
            person.pose = .person(.posed(hip: hip, neck: neck, backFoot: Point(-12, 0), frontFoot: Point(2, 0),
                                         backHand: Point(hip.x + 18, hip.y - 4), frontHand: Point(reachX, -backHeight)))
            let a = group.add(pet)
            let p = group.add(person)
            group.relations.append(PlacedRelation(subject: p, predicate: .petting, object: a))

        case (.person, .driving, .car):
            let car = make(.car, x: 0, y: g, size: vary(0.9, 1.0), facing: f)
            let window = Pictogram.carFrontWindow.map { car.pen.p($0) }
            let clip = (x1: Int(window.map(\.x).min()!.rounded(.up)), y1: Int(window.map(\.y).min()!.rounded(.up)),
                        x2: Int(window.map(\.x).max()!.rounded(.down)), y2: Int(window.map(\.y).max()!.rounded(.down)))
            let head = car.pen.p(10, -47)
            var skeleton = PersonSkeleton.posed(hip: Point(-1, 44), neck: Point(-1, 11), backFoot: Point(20, 70),
                                                frontFoot: Point(22, 70), backHand: Point(12, 24),
                                                frontHand: Point(14, 23))
            skeleton.upperBodyOnly = true
            var driver = make(.person, x: head.x, y: head.y, size: car.scale * 0.72, facing: f, pose: .person(skeleton))
            driver.clip = clip
            let c = group.add(car)
            let p = group.add(driver, grounded: false)
            group.relations.append(PlacedRelation(subject: p, predicate: .driving, object: c))

        case (.person, .nextTo, .car):
            let car = make(.car, x: 0, y: g, size: vary(0.85, 1.0), facing: f)
            let pose: PersonSkeleton = rng.chance(0.5) ? .standing() : .walking(stride: rng.double(7...10))
            var person = make(.person, x: 0, y: g, size: vary(0.95, 1.05), facing: rng.sign(), pose: .person(pose))
            place(&person, beside: car, gap: rng.double(3...8) * unit, right: rng.chance(0.5))
            let c = group.add(car)
            let p = group.add(person)
            group.relations.append(PlacedRelation(subject: p, predicate: .nextTo, object: c))

        case (.person, .under, .tree):
            var tree = make(.tree, x: 0, y: g, size: vary(1.02, 1.12), facing: f)
            tree.style.variant &= ~1
            let side = rng.sign()
            let sp = tree.scale * rng.double(0.82...0.88)
            let hipX = side * 10 * tree.scale
            let person = make(.person, x: hipX, y: g, size: sp, facing: side,
                              pose: .person(.sitting(seat: 5, handsOnLap: rng.chance(0.5))))
            let tr = group.add(tree)
            let p = group.add(person)
            group.relations.append(PlacedRelation(subject: p, predicate: .under, object: tr))

        case (let chaser, .chasing, let target):
            let c = make(chaser, x: 0, y: g, size: chaser == .dog ? vary(0.95, 1.1) : vary(1.0, 1.15), facing: f,
                         pose: .running)
            var prey: PlacedObject
            switch target {
            case .ball: prey = make(.ball, x: 0, y: g, size: vary(1.0, 1.2), facing: f)
            case .bird:
                let flying = rng.chance(0.5)
                prey = make(.bird, x: 0, y: flying ? g - rng.double(6...18) * unit : g, size: vary(0.95, 1.1), facing: f,
                            pose: flying ? .flying : .standing)
            default: prey = make(target, x: 0, y: g, size: vary(1.0, 1.15), facing: f, pose: .running)
            }
            place(&prey, beside: c, gap: rng.double(8...26) * unit, right: f > 0)
            let ci = group.add(c)
            let pi = group.add(prey, grounded: prey.pose != .flying)
            group.relations.append(PlacedRelation(subject: ci, predicate: .chasing, object: pi))

        case (let animal, .lyingOn, let seat):
            let s = group.add(make(seat, x: 0, y: g, size: vary(1.0, 1.1), facing: f))
            let support = group.objects[s]
            let span = Pictogram.supportSpan(seat)
            let x = seat == .chair ? rng.double(-2...2) : rng.double((span.lowerBound + 20)...(span.upperBound - 20))
            let top = support.pen.p(x, -Pictogram.supportTop(seat))
            let size = animal == .cat ? vary(0.9, 1.0) : vary(0.85, 0.95)
            let a = group.add(make(animal, x: top.x, y: top.y, size: size, facing: rng.sign(), pose: .sleeping),
                              grounded: false)
            group.relations.append(PlacedRelation(subject: a, predicate: .lyingOn, object: s))

        case (.dog, .under, .table):
            let table = make(.table, x: 0, y: g, size: vary(1.0, 1.12), facing: f)
            var dog = make(.dog, x: 0, y: g, size: table.scale, facing: rng.sign(), pose: .sleeping)
            let space = Pictogram.underSpace(.table)
            let spanWidth = (space.span.upperBound - space.span.lowerBound) * table.scale
            var b = Pictogram.bounds(of: dog)
            while b.x2 - b.x1 > spanWidth - 4 || b.y2 - b.y1 > space.height * table.scale - 3 {
                dog.scale *= 0.95
                b = Pictogram.bounds(of: dog)
            }
            let room = spanWidth - 4 - (b.x2 - b.x1)
            dog.origin.x += space.span.lowerBound * table.scale + 2 - b.x1 + rng.double(0...max(room, 0))
            let t = group.add(table)
            let d = group.add(dog, grounded: false)
            group.relations.append(PlacedRelation(subject: d, predicate: .under, object: t))
            group.used.insert("table:under")

        case (.cat, .sittingOn, .table):
            let table = make(.table, x: 0, y: g, size: vary(1.0, 1.1), facing: f)
            let top = table.pen.p(rng.double(-22...22), -Pictogram.supportTop(.table))
            let cat = make(.cat, x: top.x, y: top.y, size: vary(1.0, 1.12), facing: rng.sign(), pose: .sitting)
            let t = group.add(table)
            let c = group.add(cat, grounded: false)
            group.relations.append(PlacedRelation(subject: c, predicate: .sittingOn, object: t))
            group.used.insert("table:top")

        case (.bird, .above, .tree):
            let tree = make(.tree, x: 0, y: g, size: vary(0.8, 0.92), facing: f)
            let tb = Pictogram.bounds(of: tree)
            var bird = make(.bird, x: 0, y: 0, size: vary(0.9, 1.05), facing: rng.sign(), pose: .flying)
            let bb = Pictogram.bounds(of: bird)
            let cx = rng.double((tb.x1 + 0.3 * (tb.x2 - tb.x1))...(tb.x1 + 0.7 * (tb.x2 - tb.x1)))
            bird.origin = Point(cx - (bb.x1 + bb.x2) / 2, tb.y1 - rng.double(4...12) * unit - bb.y2)
            let t = group.add(tree)
            let b = group.add(bird, grounded: false)
            group.relations.append(PlacedRelation(subject: b, predicate: .above, object: t))

        case (.bird, .on, .car):
            let car = make(.car, x: 0, y: g, size: vary(0.88, 1.0), facing: f)
            let top = car.pen.p(rng.double(-18...12), -Pictogram.supportTop(.car))
            let bird = make(.bird, x: top.x, y: top.y, size: vary(0.95, 1.1), facing: rng.sign(), pose: .standing)
            let c = group.add(car)
            let b = group.add(bird, grounded: false)
            group.relations.append(PlacedRelation(subject: b, predicate: .on, object: c))
            group.used.insert("car:roof")

        case (.horse, .nextTo, .tree):
            let tree = make(.tree, x: 0, y: g, size: vary(0.95, 1.1), facing: f)
            var horse = make(.horse, x: 0, y: g, size: vary(0.85, 0.95), facing: rng.sign())
            place(&horse, beside: tree, gap: rng.double(3...8) * unit, right: rng.chance(0.5))
            let t = group.add(tree)
            let h = group.add(horse)
            group.relations.append(PlacedRelation(subject: h, predicate: .nextTo, object: t))

        default:
            preconditionFailure("no composition for action '\(action.name)'")
        }
        return group
    }

    /// A person seated on a chair or sofa, hip on the seat, feet on the floor.
    mutating func seatedPerson(on seat: PlacedObject, groundY g: Double, facing: Double, handsOnLap: Bool) -> PlacedObject {
        let sp = vary(0.94, 1.02)
        let seatTop = g - Pictogram.supportTop(seat.kind) * seat.scale
        let hipY = seatTop - 4.5 * sp
        let span = Pictogram.supportSpan(seat.kind)
        let localX = seat.kind == .chair ? -5 : rng.double((span.lowerBound + 14)...(span.upperBound - 24))
        let x = seat.pen.p(seat.kind == .chair ? localX : localX * facing * seat.facing, 0).x
        return make(.person, x: x, y: g, size: sp, facing: facing,
                    pose: .person(.sitting(seat: (g - hipY) / sp, handsOnLap: handsOnLap)))
    }

    /// Moves `object` horizontally so it stands `gap` pixels to one side of `anchor`.
    func place(_ object: inout PlacedObject, beside anchor: PlacedObject, gap: Double, right: Bool) {
        let a = Pictogram.bounds(of: anchor), b = Pictogram.bounds(of: object)
        if right {
            object.origin.x += a.x2 + gap - b.x1
        } else {
            object.origin.x += a.x1 - gap - b.x2
        }
    }
}
