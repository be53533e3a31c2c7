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

extension SceneDataset {
    /// One summary per record, in dataset order, as the explorer lists scenes and `dataset export --filter`
    /// filters them: the labels as annotated, and as tags the record's split (declared, else the seeded split of
    /// ``splits(seed:)``) plus `unseen` when the record says so.
    public func summaries() -> [SceneSummary] {
        let splits = splits()
        // One tag list per (split, unseen) pair, shared by every scene that has it; records are read in place
        // (copying 100,000 records was a noticeable part of start-up).
        let tagLists = SceneSplit.allCases.map { split in [[split.rawValue], [split.rawValue, "unseen"]] }
        return records.indices.map { index in
            let splitIndex = SceneSplit.allCases.firstIndex(of: splits[index]) ?? 0
            return SceneSummary(id: records[index].id, action: records[index].action, objects: records[index].objects.map(\.name),
                relations: records[index].relations.map(\.text), tags: tagLists[splitIndex][records[index].unseen == true ? 1 : 0])
        }
    }
}
