/// What a mark is about: the whole scene, one object or one relation.
public enum MarkTarget: Hashable, Sendable, CustomStringConvertible {
    case scene
    case object(Int)
    case relation(Int)

    public var description: String {
        switch self {
        case .scene: return "scene"
        case .object(let i): return "object \(i)"
        case .relation(let i): return "relation \(i)"
        }
    }
}

/// A reviewer's verdict on an annotation.
public enum MarkVerdict: String, CaseIterable, Sendable {
    case correct, wrong, unsure

    /// One-character badge shown in lists.
    public var badge: String {
        switch self {
        case .correct: return "✓"
        case .wrong: return "✗"
        case .unsure: return "?"
        }
    }
}

/// An annotation spot-check mark.
public struct Mark: Sendable, Equatable {
    public var sceneID: String
    public var target: MarkTarget
    public var verdict: MarkVerdict
    public var note: String

    public init(sceneID: String, target: MarkTarget, verdict: MarkVerdict, note: String = "") {
        self.sceneID = sceneID
        self.target = target
        self.verdict = verdict
        self.note = note
    }
}
