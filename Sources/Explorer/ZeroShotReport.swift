import ScenarioModel
import SceneWorkspace
import Scenes

/// One label and the model's score for it.
public struct ScoredLabel: Sendable, Equatable {
    public var label: String
    public var score: Float

    public init(_ label: String, _ score: Float) {
        self.label = label
        self.score = score
    }
}

/// The model's zero-shot view of one annotated item: its top labels and whether the annotation is among them.
public struct ZeroShotItem: Sendable, Equatable {
    /// The annotated label (action, object name or triple).
    public var annotated: String
    /// Best labels first.
    public var top: [ScoredLabel]
    /// `true` when the model ranked the item and `annotated` is not in `top`.
    public var disagrees: Bool { !top.isEmpty && !top.contains { $0.label == annotated } }

    public init(annotated: String, top: [ScoredLabel]) {
        self.annotated = annotated
        self.top = top
    }
}

/// The model's zero-shot ranking for a scene at every level.
public struct ZeroShotReport: Sendable, Equatable {
    public var sceneID: String
    public var action: ZeroShotItem
    /// One per annotated object, in the scene's order.
    public var objects: [ZeroShotItem]
    /// One per annotated relation, in the scene's order.
    public var relations: [ZeroShotItem]

    public init(sceneID: String, action: ZeroShotItem, objects: [ZeroShotItem], relations: [ZeroShotItem]) {
        self.sceneID = sceneID
        self.action = action
        self.objects = objects
        self.relations = relations
    }

    /// Items the model disagrees with.
    public var disagreementCount: Int {
        (action.disagrees ? 1 : 0) + objects.filter(\.disagrees).count + relations.filter(\.disagrees).count
    }
}

extension ZeroShotReport {
    /// Arranges a workspace ranking by the scene's annotation: the action, then every object and relation in
    /// the record's order. Items the workspace could not rank (no cached vector) get an empty ranking.
    public init(_ result: SceneZeroShot, record: SceneRecord) {
        func item(_ level: Level, _ index: Int, annotated: String) -> ZeroShotItem {
            let ranked = result.items.first { $0.level == level && $0.index == index }
            return ZeroShotItem(annotated: annotated, top: ranked?.ranking.map { ScoredLabel($0.label, $0.score) } ?? [])
        }
        self.init(
            sceneID: record.id,
            action: item(.global, 0, annotated: record.action),
            objects: record.objects.indices.map { item(.object, $0, annotated: record.objects[$0].name) },
            relations: record.relations.indices.map { item(.relation, $0, annotated: record.relations[$0].text) })
    }
}
