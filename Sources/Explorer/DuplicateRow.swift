import SceneWorkspace

/// One scene of a duplicate group as the explorer lists it: the groups of ``SceneWorkspace/DuplicateReport`` laid
/// out one after another, each group's members on adjacent rows, its first member first.
public struct DuplicateRow: Equatable, Sendable {
    /// Position of the group in the report (0-based).
    public var group: Int
    /// `exact` (same picture content) or `near` (embeddings at or above the threshold).
    public var kind: DuplicateGroup.Kind
    /// Lowest pairwise cosine similarity inside the group (1 for exact groups).
    public var similarity: Float
    public var sceneID: String
    /// The member's split (`train`, `val`, `test`).
    public var split: String
    /// Whether the group's members fall in more than one split.
    public var leak: Bool
    /// The group's first member, which `dataset export --duplicates drop` keeps.
    public var keptID: String

    public var isKept: Bool { sceneID == keptID }

    public init(group: Int, kind: DuplicateGroup.Kind, similarity: Float, sceneID: String, split: String, leak: Bool,
                keptID: String) {
        self.group = group
        self.kind = kind
        self.similarity = similarity
        self.sceneID = sceneID
        self.split = split
        self.leak = leak
        self.keptID = keptID
    }

    /// The rows of `report`, group by group.
    public static func rows(of report: DuplicateReport) -> [DuplicateRow] {
        report.groups.enumerated().flatMap { g, group in
            zip(group.ids, group.splits).map { id, split in
                DuplicateRow(group: g, kind: group.kind, similarity: group.similarity, sceneID: id, split: split,
                             leak: group.isLeak, keptID: group.ids[0])
            }
        }
    }
}
