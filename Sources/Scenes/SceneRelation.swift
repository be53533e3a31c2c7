import Foundation

/// One annotated relation triple of a scene and the focused-region image that shows it.
public struct SceneRelation: Sendable, Hashable {
    /// Subject object name (should name one of the record's objects).
    public var subject: String
    /// Predicate, e.g. `holding`.
    public var predicate: String
    /// Object name (should name one of the record's objects).
    public var object: String
    /// Absolute location of the focused-region image, or `nil` when the record gives none (made from
    /// ``regionFile`` on each use).
    public var regionPath: URL? {
        get { regionFile.map { URL(fileURLWithPath: $0, isDirectory: false) } }
        set { regionFile = newValue?.path }
    }
    /// Absolute file-system path of the focused-region image, or `nil`.
    public var regionFile: String?

    public init(subject: String, predicate: String, object: String, regionPath: URL?) {
        self.init(subject: subject, predicate: predicate, object: object, regionFile: regionPath?.path)
    }

    /// A relation whose focused region is given as an absolute file-system path (or `nil`).
    public init(subject: String, predicate: String, object: String, regionFile: String?) {
        self.subject = subject
        self.predicate = predicate
        self.object = object
        self.regionFile = regionFile
    }

    /// The relation's text as the reference joins it: `"subject predicate object"`.
    public var text: String { "\(subject) \(predicate) \(object)" }
}
