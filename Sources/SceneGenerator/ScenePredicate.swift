/// A relation between two objects that the generator draws so that it holds in the picture.
public enum ScenePredicate: String, CaseIterable, Sendable, Codable {
    case on
    case under
    case nextTo = "next to"
    case leftOf = "left of"
    case rightOf = "right of"
    case above
    case holding
    case riding
    case chasing
    case sittingOn = "sitting on"
    case lyingOn = "lying on"
    case kicking
    case throwing
    case walking
    case petting
    case driving

    /// The words used in relation triples.
    public var text: String { rawValue }
}

/// A (subject, predicate, object) triple by object name, as stored in the dataset.
public struct Triple: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var subject: ObjectKind
    public var predicate: ScenePredicate
    public var object: ObjectKind

    public init(_ subject: ObjectKind, _ predicate: ScenePredicate, _ object: ObjectKind) {
        self.subject = subject
        self.predicate = predicate
        self.object = object
    }

    /// `"subject predicate object"`, the relation's text in `classes.json`.
    public var description: String { "\(subject.name) \(predicate.text) \(object.name)" }

    public static func < (a: Triple, b: Triple) -> Bool { a.description < b.description }
}
