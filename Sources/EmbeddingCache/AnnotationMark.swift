import Foundation

/// A reviewer's verdict on one annotation of a scene (the explorer's spot-check marks).
public struct AnnotationMark: Sendable, Hashable, Codable {
    /// What a mark is about.
    public enum TargetKind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The scene's action.
        case scene
        case object
        case relation
    }

    /// The reviewer's judgement.
    public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
        case correct
        case wrong
        case unsure
    }

    /// What a mark is about, with its index: the whole scene, one object or one relation.
    public enum Target: Hashable, Sendable, CustomStringConvertible {
        case scene
        case object(Int)
        case relation(Int)

        /// The stored kind.
        public var kind: TargetKind {
            switch self {
            case .scene: .scene
            case .object: .object
            case .relation: .relation
            }
        }

        /// The stored index (0 for the scene).
        public var index: Int {
            switch self {
            case .scene: 0
            case .object(let i), .relation(let i): i
            }
        }

        public var description: String {
            switch self {
            case .scene: "scene"
            case .object(let i): "object \(i)"
            case .relation(let i): "relation \(i)"
            }
        }
    }

    public var sceneID: String
    public var targetKind: TargetKind
    /// Object or relation index (0 for the scene).
    public var targetIndex: Int
    public var verdict: Verdict
    /// Free text, empty when none.
    public var note: String
    /// When the mark was last set.
    public var timestamp: Date

    /// The kind and index together (stored as the two columns ``targetKind`` and ``targetIndex``).
    public var target: Target {
        get {
            switch targetKind {
            case .scene: .scene
            case .object: .object(targetIndex)
            case .relation: .relation(targetIndex)
            }
        }
        set { (targetKind, targetIndex) = (newValue.kind, newValue.index) }
    }

    public init(sceneID: String, target: Target, verdict: Verdict, note: String = "", timestamp: Date = Date()) {
        self.init(sceneID: sceneID, targetKind: target.kind, targetIndex: target.index, verdict: verdict, note: note,
                  timestamp: timestamp)
    }

    public init(
        sceneID: String, targetKind: TargetKind, targetIndex: Int = 0, verdict: Verdict, note: String = "",
        timestamp: Date = Date()
    ) {
        self.sceneID = sceneID
        self.targetKind = targetKind
        self.targetIndex = targetIndex
        self.verdict = verdict
        self.note = note
        self.timestamp = timestamp
    }
}
