/// The kinds of things the generator draws; the raw value is the object name in the dataset.
public enum ObjectKind: String, CaseIterable, Sendable, Codable, Comparable {
    case person, dog, cat, bird, horse, ball, cup, book, table, chair, sofa, car, bicycle, tree, lamp

    /// The name used in `objects`, relations and captions.
    public var name: String { rawValue }

    public static func < (a: ObjectKind, b: ObjectKind) -> Bool { a.rawValue < b.rawValue }

    /// Things that stand on the ground on their own (as opposed to things put on or held by something).
    var standsOnGround: Bool {
        switch self {
        case .cup, .book: return false
        default: return true
        }
    }
}
