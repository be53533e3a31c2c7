/// A place a scene can be set in; decides the background and the caption's location phrase.
public enum Place: String, Sendable, CaseIterable {
    case livingRoom = "living room", kitchen, bedroom, park, street, beach

    public var setting: Setting {
        switch self {
        case .livingRoom, .kitchen, .bedroom: return .indoor
        case .park, .street, .beach: return .outdoor
        }
    }

    static func places(in setting: Setting) -> [Place] {
        allCases.filter { $0.setting == setting }
    }
}

/// A relation between two placed objects of a scene, by index into ``Scene/objects`` (written as a triple of
/// names, `Scenes.SceneRelation` when the dataset is read back).
struct PlacedRelation: Sendable, Equatable {
    var subject: Int
    var predicate: ScenePredicate
    var object: Int
}

/// A thin line drawn between objects that belongs to neither (a leash).
struct SceneLine: Sendable, Equatable {
    var from: Point
    var to: Point
    var width: Double
    var colour: Colour
}

/// Everything needed to draw one scene and describe it, before rendering.
struct Scene: Sendable, Equatable {
    var width: Int
    var height: Int
    var place: Place
    var action: SceneAction
    /// Objects in drawing order; each kind at most once.
    var objects: [PlacedObject]
    /// Main relation first.
    var relations: [PlacedRelation]
    var lines: [SceneLine]
    /// Pixel row the ground-standing objects stand on.
    var groundY: Double
    /// Background colours and decoration choices.
    var backdrop: Backdrop
    /// Standard deviation of the pixel noise (0…255 scale).
    var noise: Double
    /// Whether a light blur is applied.
    var blur: Bool

    func index(of kind: ObjectKind) -> Int? { objects.firstIndex { $0.kind == kind } }

    func triple(_ r: PlacedRelation) -> Triple {
        Triple(objects[r.subject].kind, r.predicate, objects[r.object].kind)
    }

    var triples: [Triple] { relations.map(triple) }
}
