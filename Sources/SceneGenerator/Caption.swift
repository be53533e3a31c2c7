/// Writes the dense caption of a scene: where it is, the main action with colours, then one sentence
/// per further relation.
enum Caption {
    static func dense(for scene: Scene) -> String {
        var mentioned = Set<Int>()
        func article(_ word: String) -> String {
            guard let first = word.first else { return "a" }
            return "aeiou".contains(first) ? "an" : "a"
        }
        /// "a red car" on first mention, "the car" afterwards.
        func phrase(_ i: Int) -> String {
            let o = scene.objects[i]
            if mentioned.contains(i) { return "the \(o.kind.name)" }
            mentioned.insert(i)
            let colour = o.style.main.name
            switch o.kind {
            case .person:
                return colour.isEmpty ? "a person" : "a person in \(article(colour)) \(colour) shirt"
            case .tree:
                return o.style.variant % 2 == 0 ? "\(article(colour)) \(colour) leafy tree" : "\(article(colour)) \(colour) pine tree"
            default:
                return colour.isEmpty ? "\(article(o.kind.name)) \(o.kind.name)" : "\(article(colour)) \(colour) \(o.kind.name)"
            }
        }
        let place: String
        switch scene.place {
        case .street, .beach: place = "On a \(scene.place.rawValue)"
        default: place = "In a \(scene.place.rawValue)"
        }
        var sentences: [String] = []
        if let main = scene.relations.first {
            // The action caption with its nouns replaced by descriptive phrases.
            let action = scene.action.name
            let subjectName = scene.objects[main.subject].kind.name
            let objectName = scene.objects[main.object].kind.name
            var verb = String(action.dropFirst(subjectName.count + 1))
            let s = phrase(main.subject)
            let o = phrase(main.object)
            for a in ["a ", "an "] where verb.hasSuffix(" " + a + objectName) {
                verb = String(verb.dropLast(a.count + objectName.count)) + o
                break
            }
            sentences.append("\(place), \(s) is \(verb).")
        }
        for r in scene.relations.dropFirst() {
            let s = phrase(r.subject)
            let o = phrase(r.object)
            let subject = scene.objects[r.subject].kind
            let verb: String
            switch r.predicate {
            case .on: verb = subject == .bird ? "is standing on" : "is on"
            case .under: verb = "is under"
            case .nextTo: verb = "is next to"
            case .leftOf: verb = "is to the left of"
            case .rightOf: verb = "is to the right of"
            case .above: verb = "is flying above"
            case .holding: verb = "is holding"
            case .riding: verb = "is riding"
            case .chasing: verb = "is chasing"
            case .sittingOn: verb = "is sitting on"
            case .lyingOn: verb = "is lying on"
            case .kicking: verb = "is kicking"
            case .throwing: verb = "is throwing"
            case .walking: verb = "is walking"
            case .petting: verb = "is petting"
            case .driving: verb = "is driving"
            }
            sentences.append(capitalised("\(s) \(verb) \(o)."))
        }
        for i in scene.objects.indices where !mentioned.contains(i) {
            sentences.append("There is also \(phrase(i)).")
        }
        return sentences.joined(separator: " ")
    }

    private static func capitalised(_ s: String) -> String {
        s.prefix(1).uppercased() + s.dropFirst()
    }
}
