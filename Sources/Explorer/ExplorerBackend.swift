import EmbeddingCache
import Imaging
import ScenarioModel
import SceneWorkspace
import Scenes

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
    func search(_ request: QueryRequest) throws -> [WorkspaceHit]
    /// Scenes or regions most like the scene (or its object/relation `item`).
    func moreLikeThis(sceneID: String, target: AnnotationMark.Target, limit: Int) throws -> [WorkspaceHit]
    /// The model's zero-shot ranking for the scene at every level.
    func zeroShot(sceneID: String) throws -> SceneZeroShot
    /// Scene ids ordered by how much the model disagrees with their annotation, most first.
    func reviewQueue(limit: Int) throws -> [String]
    /// Marks of one scene, or of every scene when `sceneID` is `nil`.
    func marks(sceneID: String?) throws -> [AnnotationMark]
    /// Stores (replaces) a mark.
    func setMark(_ mark: AnnotationMark) throws
    /// Deletes the mark of `target` in the scene.
    func removeMark(sceneID: String, target: AnnotationMark.Target) throws
    /// Embeds whatever is not cached yet, reporting progress, until done or `cancel` is set.
    /// Returns at once with a finished progress when nothing is missing.
    func index(progress: @escaping @Sendable (IndexProgress) -> Void, cancel: CancellationFlag) throws
    /// Starts slow preparations (loading the model and the vectors) in the background. The session calls it
    /// once its first scene is ready, so that start-up has the processor to itself.
    func startBackgroundWork()
    /// Per class of every level: counts per split, zero-shot accuracy and confusions (see `ExplorerBackend+Insight.swift`).
    func classReport() throws -> ClassReport
    /// The level's 2-D embedding map (cached, or computed and cached).
    func embeddingMap(level: Level) throws -> EmbeddingMapPoints
    /// For each point of the level's map, whether the model's best class differs from the annotation.
    func mapDisagreements(level: Level, points: EmbeddingMapPoints) throws -> [Bool]
    /// Exact and near-duplicate groups of whole scenes, each group's members on adjacent rows (the same groups
    /// `scenarioclip duplicates` reports).
    func duplicates() throws -> [DuplicateRow]
    /// Checks `change` against the scene as it stands (its earlier corrections applied) and its picture, and
    /// stores it (committed at once); ``detail(sceneID:)`` shows it from then on.
    /// - Throws: ``Scenes/ScenesError/invalidCorrection(sceneID:reason:)`` naming what does not fit.
    func correct(sceneID: String, change: SceneCorrection.Change) throws -> SceneCorrection
    /// Removes the scene's latest correction and returns it (`nil` when it has none).
    func undoCorrection(sceneID: String) throws -> SceneCorrection?
    /// Class names offered for completion in correction lines.
    func classLists() -> ClassLists
    /// The folder `E` offers to export into: `<dataset>-export` beside the dataset.
    func defaultExportPath() -> String
    /// Writes the scenes `sceneIDs` (in that order) as a reference-format dataset in the folder `path`, the way
    /// `scenarioclip dataset export` does: pictures referenced by absolute path, a `path` that exists and is not
    /// empty refused, written under a temporary name and renamed into place. Returns the number of scenes written.
    func export(sceneIDs: [String], to path: String) throws -> Int
}

extension ExplorerBackend {
    /// Nothing to prepare.
    public func startBackgroundWork() {}

    /// No corrections: the backend keeps none.
    public func correct(sceneID: String, change: SceneCorrection.Change) throws -> SceneCorrection {
        throw ExplorerError.unavailable("this dataset view keeps no corrections")
    }

    public func undoCorrection(sceneID: String) throws -> SceneCorrection? { nil }

    public func classLists() -> ClassLists { ClassLists() }

    public func defaultExportPath() -> String { "\(datasetName)-export" }

    /// No export: the backend has no dataset on disk.
    public func export(sceneIDs: [String], to path: String) throws -> Int {
        throw ExplorerError.unavailable("this dataset view cannot export scenes")
    }
}
