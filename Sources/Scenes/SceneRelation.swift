import Foundation

/// One annotated relation triple of a scene and the focused-region image that shows it.
public struct SceneRelation: Sendable, Hashable {
    /// Subject object name (should name one of the record's objects).
    public var subject: String
    /// Predicate, e.g. `holding`.
    public var predicate: String
    /// Object name (should name one of the record's objects).
    public var object: String
    /// Absolute location of the focused-region image, or `nil` when the record gives none.
    public var regionPath: URL?

    public init(subject: String, predicate: String, object: String, regionPath: URL?) {
        self.subject = subject
        self.predicate = predicate
        self.object = object
        self.regionPath = regionPath
    }

    /// The relation's text as the reference joins it: `"subject predicate object"`.
    public var text: String { "\(subject) \(predicate) \(object)" }
}
