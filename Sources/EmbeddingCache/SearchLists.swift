/// A stored inverted-file (IVF) layout of one (model, level): unit centroids and, for each row of a loaded
/// ``LevelVectors``, the list it belongs to. Rows whose key was not part of the layout (vectors added since
/// it was trained) have list `-1`; a search must scan them separately (Retrieval's `IVFIndex` does).
public struct SearchLists: Sendable, Equatable {
    /// Number of lists.
    public var lists: Int
    /// `[lists, width]` centroids, row-major.
    public var centroids: [Float]
    /// The list of each row of the ``LevelVectors`` this came with, `-1` when unassigned.
    public var assignments: [Int32]

    public init(lists: Int, centroids: [Float], assignments: [Int32]) {
        self.lists = lists
        self.centroids = centroids
        self.assignments = assignments
    }

    /// Rows with no list.
    public var unassignedCount: Int { assignments.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }
}
