extension ObjectStyle {
    /// A random look for an object of `kind`.
    static func random(for kind: ObjectKind, rng: inout SceneRNG) -> ObjectStyle {
        let variant = rng.int(0...11)
        switch kind {
        case .person:
            return ObjectStyle(main: rng.pick(Palette.vivid), second: rng.pick(Palette.trousers),
                               third: rng.pick(Palette.skin), variant: variant)
        case .dog:
            let fur = rng.pick(Palette.dogFur)
            let patch = fur == Palette.black ? Palette.white : Colour(70, 45, 30)
            return ObjectStyle(main: fur, second: patch, third: Palette.cream, variant: variant)
        case .cat:
            let fur = rng.pick(Palette.catFur)
            return ObjectStyle(main: fur, second: fur.shaded(0.6), third: Palette.white, variant: variant)
        case .horse:
            let coat = rng.pick(Palette.horseCoat)
            let mane = coat == Palette.black ? Colour(90, 80, 70) : Colour(45, 35, 30)
            return ObjectStyle(main: coat, second: mane, third: Palette.white, variant: variant & ~1)
        case .bird:
            return ObjectStyle(main: rng.pick([Palette.red, Palette.blue, Palette.yellow, Palette.green, Palette.orange]),
                               second: Palette.white, third: Palette.white, variant: variant)
        case .ball:
            let main = rng.pick(Palette.vivid)
            var other = rng.pick(Palette.vivid)
            if other == main { other = Palette.white }
            return ObjectStyle(main: main, second: Palette.white, third: other, variant: variant)
        case .cup:
            return ObjectStyle(main: rng.pick(Palette.vivid + [Palette.white]), second: rng.pick([Palette.white, Palette.black]),
                               third: Palette.white, variant: variant)
        case .book:
            return ObjectStyle(main: rng.pick(Palette.vivid), second: Palette.cream, third: Palette.white, variant: variant)
        case .table:
            return ObjectStyle(main: rng.pick(Palette.wood), second: Palette.white, third: Palette.white, variant: variant)
        case .chair:
            return ObjectStyle(main: rng.pick(Palette.wood + [Palette.red, Palette.blue, Palette.green]),
                               second: Palette.white, third: Palette.white, variant: variant)
        case .sofa:
            return ObjectStyle(main: rng.pick([Palette.red, Palette.blue, Palette.green, Palette.purple, Palette.teal,
                                               Palette.orange, Palette.grey]),
                               second: Palette.white, third: Palette.white, variant: variant)
        case .car:
            return ObjectStyle(main: rng.pick([Palette.red, Palette.blue, Palette.yellow, Palette.green, Palette.orange,
                                               Palette.white, Palette.black, Palette.grey]),
                               second: Palette.white, third: Palette.white, variant: variant)
        case .bicycle:
            return ObjectStyle(main: rng.pick(Palette.vivid), second: Palette.black, third: Palette.white, variant: variant)
        case .tree:
            let leaf = rng.pick([Colour(50, 150, 60, name: "green"), Colour(35, 120, 50, name: "dark green"),
                                 Colour(100, 180, 60, name: "light green")])
            return ObjectStyle(main: leaf, second: Palette.brown, third: Palette.white, variant: variant)
        case .lamp:
            return ObjectStyle(main: rng.pick([Palette.yellow, Palette.white, Palette.red, Palette.blue, Palette.green,
                                               Palette.orange]),
                               second: Palette.grey, third: Palette.white, variant: variant)
        }
    }
}
