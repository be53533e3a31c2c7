/// The compositions that appear only in the test split, so zero-shot generalisation to unseen
/// combinations of seen words can be measured.
public struct HeldOutDesign: Sendable {
    /// Action classes that appear only in test scenes (their words all occur in training captions).
    public var actions: [String]
    /// Relation triples that appear only in test scenes (besides the main triples of held-out actions).
    public var triples: [Triple]
    /// (action, object) pairs: scenes of that action contain that object only in the test split.
    public var actionObjects: [ActionObject]

    /// An action class paired with an object kind.
    public struct ActionObject: Sendable, Hashable {
        public var action: String
        public var object: ObjectKind
    }

    /// The design the `generate` command uses.
    public static let standard = HeldOutDesign(
        actions: ["cat chasing a bird", "person petting a cat", "dog sleeping on a sofa"],
        triples: [
            Triple(.ball, .under, .chair), Triple(.cat, .on, .car), Triple(.bird, .above, .car),
            Triple(.dog, .nextTo, .tree),
        ],
        actionObjects: [
            ActionObject(action: "person riding a bicycle", object: .dog),
            ActionObject(action: "person holding a cup", object: .lamp),
            ActionObject(action: "dog chasing a ball", object: .car),
        ])

    /// Every held-out triple: the listed ones and the main triples of held-out actions.
    public var allTriples: Set<Triple> {
        var set = Set(triples)
        for name in actions {
            if let action = SceneAction.named(name) { set.insert(action.triple) }
        }
        return set
    }

    /// The held-out compositions a scene holds (empty for a scene that may go to any split).
    func compositions(in scene: Scene) -> [String] {
        var found: [String] = []
        if actions.contains(scene.action.name) { found.append("action: \(scene.action.name)") }
        let held = allTriples
        for t in Set(scene.triples) where held.contains(t) { found.append("triple: \(t)") }
        for pair in actionObjects where pair.action == scene.action.name {
            if scene.index(of: pair.object) != nil { found.append("action+object: \(pair.action) + \(pair.object.name)") }
        }
        return found.sorted()
    }
}
