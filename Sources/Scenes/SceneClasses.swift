/// The class lists of a dataset (`classes.json`): the texts zero-shot ranking compares against.
public struct SceneClasses: Sendable, Hashable {
    /// Action captions (global level).
    public var actions: [String]
    /// Object names (object level).
    public var objects: [String]
    /// Relation strings `"subject predicate object"` (relation level).
    public var relations: [String]

    public init(actions: [String], objects: [String], relations: [String]) {
        self.actions = actions
        self.objects = objects
        self.relations = relations
    }

    /// Classes collected from the records themselves (sorted, without duplicates), used when a dataset
    /// has no `classes.json`.
    public static func derived(from records: [SceneRecord]) -> SceneClasses {
        var actions = Set<String>()
        var objects = Set<String>()
        var relations = Set<String>()
        for record in records {
            actions.insert(record.action)
            for object in record.objects { objects.insert(object.name) }
            for relation in record.relations { relations.insert(relation.text) }
        }
        return SceneClasses(actions: actions.sorted(), objects: objects.sorted(), relations: relations.sorted())
    }
}
