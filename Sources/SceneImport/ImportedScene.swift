import Foundation
import Imaging
import Scenes

/// One scene as an importer reads it from a source dataset, before it becomes a ``Scenes/SceneRecord``: the
/// relations point at their own subject and object boxes (several objects may share a name).
public struct ImportedScene: Sendable, Equatable {
    /// One relation: subject and object as objects of their own (name + box), and the predicate.
    public struct Relation: Sendable, Equatable {
        public var subject: SceneObject
        public var predicate: String
        public var object: SceneObject

        public init(subject: SceneObject, predicate: String, object: SceneObject) {
            self.subject = subject
            self.predicate = predicate
            self.object = object
        }
    }

    /// Record id (the source's image id or key).
    public var id: String
    /// The picture's path as the source names it (a file name or a path under a picture folder).
    public var picture: String
    public var objects: [SceneObject]
    public var relations: [Relation]
    /// The first caption, as the source writes it.
    public var caption: String?
    /// The split the source declares, if any.
    public var split: SceneSplit?

    public init(id: String, picture: String, objects: [SceneObject], relations: [Relation],
                caption: String? = nil, split: SceneSplit? = nil) {
        self.id = id
        self.picture = picture
        self.objects = objects
        self.relations = relations
        self.caption = caption
        self.split = split
    }
}

/// How a scene's action (the global-level text) is derived; the sources carry none.
public enum ActionSource: String, Sendable, CaseIterable {
    /// `"subject predicate object"` of the relation whose subject+object union box has the largest area (the
    /// first such relation on ties); scenes without relations fall back to the caption, then the largest object.
    case relation
    /// The first caption, lower-cased, surrounding spaces and one trailing period dropped, inner runs of white
    /// space made single spaces; scenes without a caption fall back to the relation rule, then the largest object.
    case caption
    /// The name of the object with the largest box (the first on ties).
    case object

    /// The action of `scene`, or `nil` when the scene has no relation, caption or object.
    public func action(of scene: ImportedScene) -> String? {
        let order: [ActionSource] = switch self {
        case .relation: [.relation, .caption, .object]
        case .caption: [.caption, .relation, .object]
        case .object: [.object]
        }
        for source in order {
            if let text = source.ownAction(of: scene), !text.isEmpty { return text }
        }
        return nil
    }

    private func ownAction(of scene: ImportedScene) -> String? {
        switch self {
        case .relation:
            var best: (area: Int, text: String)?
            for r in scene.relations {
                let u = r.subject.box.union(r.object.box)
                let area = max(0, u.width) * max(0, u.height)
                if best == nil || area > best!.area { best = (area, "\(r.subject.name) \(r.predicate) \(r.object.name)") }
            }
            return best?.text
        case .caption:
            guard let caption = scene.caption else { return nil }
            var text = Names.normalized(caption)
            if text.hasSuffix(".") { text.removeLast() }
            return Names.normalized(text)
        case .object:
            var best: (area: Int, name: String)?
            for o in scene.objects {
                let area = max(0, o.box.width) * max(0, o.box.height)
                if best == nil || area > best!.area { best = (area, o.name) }
            }
            return best?.name
        }
    }
}

/// Class-name normalisation as the reference's scripts write names: lower-case, surrounding white space dropped,
/// inner runs of white space (and `_` where a format uses it for spaces) made one space.
public enum Names {
    public static func normalized(_ text: String, underscoresAsSpaces: Bool = false) -> String {
        var words: [Substring] = []
        let lowered = text.lowercased()
        let source = underscoresAsSpaces ? lowered.replacingOccurrences(of: "_", with: " ") : lowered
        for word in source.split(whereSeparator: { $0.isWhitespace }) { words.append(word) }
        return words.joined(separator: " ")
    }
}
