import Imaging
import ScenarioModel

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

/// An annotated object of a scene.
public struct ObjectAnnotation: Sendable, Equatable {
    public var name: String
    public var box: PixelBox

    public init(name: String, box: PixelBox) {
        self.name = name
        self.box = box
    }
}

/// An annotated relation triple; `subject`/`object` index the scene's objects when they can be matched.
public struct RelationAnnotation: Sendable, Equatable {
    public var subject: String
    public var predicate: String
    public var object: String
    public var subjectIndex: Int?
    public var objectIndex: Int?
    /// The focused region (union of the two boxes) when known.
    public var region: PixelBox?

    public init(subject: String, predicate: String, object: String, subjectIndex: Int? = nil, objectIndex: Int? = nil, region: PixelBox? = nil) {
        self.subject = subject
        self.predicate = predicate
        self.object = object
        self.subjectIndex = subjectIndex
        self.objectIndex = objectIndex
        self.region = region
    }

    /// `"subject predicate object"`, the relation level's text.
    public var text: String { "\(subject) \(predicate) \(object)" }
}

/// Everything the scene view shows about one scene (the picture is loaded separately).
public struct SceneDetail: Sendable, Equatable {
    public var id: String
    public var action: String
    public var denseCaption: String?
    public var imageWidth: Int
    public var imageHeight: Int
    public var objects: [ObjectAnnotation]
    public var relations: [RelationAnnotation]
    public var tags: [String]

    public init(id: String, action: String, denseCaption: String?, imageWidth: Int, imageHeight: Int, objects: [ObjectAnnotation], relations: [RelationAnnotation], tags: [String] = []) {
        self.id = id
        self.action = action
        self.denseCaption = denseCaption
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.objects = objects
        self.relations = relations
        self.tags = tags
    }
}

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
    /// `true` when `annotated` is not in `top`.
    public var disagrees: Bool { !top.contains { $0.label == annotated } }

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

/// What a mark is about: the whole scene, one object or one relation.
public enum MarkTarget: Hashable, Sendable, CustomStringConvertible {
    case scene
    case object(Int)
    case relation(Int)

    public var description: String {
        switch self {
        case .scene: return "scene"
        case .object(let i): return "object \(i)"
        case .relation(let i): return "relation \(i)"
        }
    }
}

/// A reviewer's verdict on an annotation.
public enum MarkVerdict: String, CaseIterable, Sendable {
    case correct, wrong, unsure

    /// One-character badge shown in lists.
    public var badge: String {
        switch self {
        case .correct: return "✓"
        case .wrong: return "✗"
        case .unsure: return "?"
        }
    }
}

/// An annotation spot-check mark.
public struct Mark: Sendable, Equatable {
    public var sceneID: String
    public var target: MarkTarget
    public var verdict: MarkVerdict
    public var note: String

    public init(sceneID: String, target: MarkTarget, verdict: MarkVerdict, note: String = "") {
        self.sceneID = sceneID
        self.target = target
        self.verdict = verdict
        self.note = note
    }
}

/// Progress of background indexing.
public struct IndexProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int
    /// `true` once finished (or cancelled).
    public var finished: Bool
    /// A message when indexing stopped early (cancelled, failed).
    public var message: String?

    public init(done: Int, total: Int, finished: Bool = false, message: String? = nil) {
        self.done = done
        self.total = total
        self.finished = finished
        self.message = message
    }
}

/// What the backend can do right now; the status line shows it.
public struct BackendStatus: Sendable, Equatable {
    /// Model name, or `nil` when no model could be loaded.
    public var model: String?
    /// Why the model is missing, when it is.
    public var modelProblem: String?
    /// `true` when every scene has cached embeddings, so queries and zero-shot work.
    public var indexed: Bool
    /// Where marks are stored.
    public var marksLocation: String

    public init(model: String?, modelProblem: String? = nil, indexed: Bool, marksLocation: String) {
        self.model = model
        self.modelProblem = modelProblem
        self.indexed = indexed
        self.marksLocation = marksLocation
    }
}

/// A token a long-running backend job checks to stop early.
public final class CancellationFlag: @unchecked Sendable {
    private var flag = false
    private let lock = NSLockLike()

    public init() {}

    /// Asks the job to stop.
    public func cancel() { lock.withLock { flag = true } }
    /// `true` once ``cancel()`` was called.
    public var isCancelled: Bool { lock.withLock { flag } }
}

/// Everything the explorer needs from a dataset, a model and a cache. The live implementation is
/// ``LiveExplorerBackend``; tests use an in-memory one. Calls may come from background threads.
public protocol ExplorerBackend: AnyObject, Sendable {
    /// The dataset's display name.
    var datasetName: String { get }
    /// Model, index and marks status.
    func status() -> BackendStatus
    /// All scenes, in dataset order.
    func scenes() throws -> [SceneSummary]
    /// The scene's annotation.
    func detail(sceneID: String) throws -> SceneDetail
    /// The scene's picture, decoded.
    func image(sceneID: String) throws -> RGBImage
    /// Ranks scenes or regions for a query. Throws ``ExplorerError/unavailable(_:)`` without model or index.
    func search(_ request: QueryRequest) throws -> [QueryHit]
    /// Scenes or regions most like the scene (or its object/relation `item`).
    func moreLikeThis(sceneID: String, target: MarkTarget, limit: Int) throws -> [QueryHit]
    /// The model's zero-shot ranking for the scene at every level.
    func zeroShot(sceneID: String) throws -> ZeroShotReport
    /// Scene ids ordered by how much the model disagrees with their annotation, most first.
    func reviewQueue(limit: Int) throws -> [String]
    /// Marks of one scene, or of every scene when `sceneID` is `nil`.
    func marks(sceneID: String?) throws -> [Mark]
    /// Stores (replaces) a mark.
    func setMark(_ mark: Mark) throws
    /// Deletes the mark of `target` in the scene.
    func removeMark(sceneID: String, target: MarkTarget) throws
    /// Embeds whatever is not cached yet, reporting progress, until done or `cancel` is set.
    /// Returns at once with a finished progress when nothing is missing.
    func index(progress: @escaping @Sendable (IndexProgress) -> Void, cancel: CancellationFlag) throws
}
