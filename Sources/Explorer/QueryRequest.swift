/// What a query ranks: whole scenes, object regions or relation regions.
public enum QueryScope: String, CaseIterable, Sendable {
    case global, object, relation, all

    /// The next scope in the cycle the query line's Tab key walks.
    public var next: QueryScope {
        let all = QueryScope.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// A live query: the text (plain or a weighted expression such as `"2:dog" + "ball" - "grass"`) and its scope.
public struct QueryRequest: Sendable, Equatable {
    public var text: String
    public var scope: QueryScope
    public var limit: Int

    public init(text: String, scope: QueryScope, limit: Int = 50) {
        self.text = text
        self.scope = scope
        self.limit = limit
    }
}
