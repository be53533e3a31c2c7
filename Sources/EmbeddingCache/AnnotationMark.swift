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

    public var sceneID: String
    public var targetKind: TargetKind
    /// Object or relation index (0 for the scene).
    public var targetIndex: Int
    public var verdict: Verdict
    /// Free text, empty when none.
    public var note: String
    /// When the mark was last set.
    public var timestamp: Date

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
