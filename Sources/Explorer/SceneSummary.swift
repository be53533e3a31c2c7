/// One scene as the list shows it: id, labels to filter on, and a disagreement score for the review queue.
public struct SceneSummary: Sendable, Equatable {
    public var id: String
    public var action: String
    public var objects: [String]
    /// Relation triples joined by spaces: `"person holding cup"`.
    public var relations: [String]
    /// Free tags (split name, source, …).
    public var tags: [String]

    public init(id: String, action: String, objects: [String], relations: [String], tags: [String] = []) {
        self.id = id
        self.action = action
        self.objects = objects
        self.relations = relations
        self.tags = tags
    }
}
