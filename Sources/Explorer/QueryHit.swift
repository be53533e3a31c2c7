import Imaging
import ScenarioModel

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

/// One ranked result: a scene and, for object/relation hits, the region that matched.
public struct QueryHit: Sendable, Equatable {
    public var sceneID: String
    public var level: Level
    /// What matched: the action, the object name or the triple.
    public var label: String
    /// The matching region in image pixels (`nil` for whole-scene hits).
    public var region: PixelBox?
    /// Index of the object or relation within its scene, when the hit is one.
    public var itemIndex: Int?
    /// Cosine similarity.
    public var score: Float

    public init(sceneID: String, level: Level, label: String, region: PixelBox?, itemIndex: Int?, score: Float) {
        self.sceneID = sceneID
        self.level = level
        self.label = label
        self.region = region
        self.itemIndex = itemIndex
        self.score = score
    }
}
