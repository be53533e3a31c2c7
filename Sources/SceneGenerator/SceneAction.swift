/// Where a scene takes place.
public enum Setting: String, Sendable, CaseIterable {
    case indoor, outdoor
}

/// One action class: its caption and the main relation that makes it true.
public struct SceneAction: Sendable, Hashable {
    /// The lower-case action caption, e.g. `"person riding a bicycle"`.
    public let name: String
    /// The scene's main relation.
    public let triple: Triple
    /// Settings the action can take place in.
    public let settings: [Setting]

    init(_ name: String, _ s: ObjectKind, _ p: ScenePredicate, _ o: ObjectKind, _ settings: [Setting]) {
        self.name = name
        triple = Triple(s, p, o)
        self.settings = settings
    }

    static let indoor: [Setting] = [.indoor]
    static let outdoor: [Setting] = [.outdoor]
    static let anywhere: [Setting] = [.indoor, .outdoor]

    /// Every action the generator can draw.
    public static let all: [SceneAction] = [
        SceneAction("person riding a bicycle", .person, .riding, .bicycle, outdoor),
        SceneAction("person riding a horse", .person, .riding, .horse, outdoor),
        SceneAction("person sitting on a chair", .person, .sittingOn, .chair, indoor),
        SceneAction("person sitting on a sofa", .person, .sittingOn, .sofa, indoor),
        SceneAction("person holding a cup", .person, .holding, .cup, anywhere),
        SceneAction("person reading a book", .person, .holding, .book, indoor),
        SceneAction("person kicking a ball", .person, .kicking, .ball, outdoor),
        SceneAction("person throwing a ball", .person, .throwing, .ball, outdoor),
        SceneAction("person walking a dog", .person, .walking, .dog, outdoor),
        SceneAction("person petting a dog", .person, .petting, .dog, anywhere),
        SceneAction("person petting a cat", .person, .petting, .cat, indoor),
        SceneAction("person driving a car", .person, .driving, .car, outdoor),
        SceneAction("person standing next to a car", .person, .nextTo, .car, outdoor),
        SceneAction("person sitting under a tree", .person, .under, .tree, outdoor),
        SceneAction("dog chasing a ball", .dog, .chasing, .ball, outdoor),
        SceneAction("dog chasing a cat", .dog, .chasing, .cat, outdoor),
        SceneAction("cat chasing a bird", .cat, .chasing, .bird, outdoor),
        SceneAction("cat sleeping on a chair", .cat, .lyingOn, .chair, indoor),
        SceneAction("cat sleeping on a sofa", .cat, .lyingOn, .sofa, indoor),
        SceneAction("dog sleeping on a sofa", .dog, .lyingOn, .sofa, indoor),
        SceneAction("dog sleeping under a table", .dog, .under, .table, indoor),
        SceneAction("cat sitting on a table", .cat, .sittingOn, .table, indoor),
        SceneAction("bird flying above a tree", .bird, .above, .tree, outdoor),
        SceneAction("bird standing on a car", .bird, .on, .car, outdoor),
        SceneAction("horse standing next to a tree", .horse, .nextTo, .tree, outdoor),
    ]

    /// The action with this caption.
    public static func named(_ name: String) -> SceneAction? { all.first { $0.name == name } }
}
