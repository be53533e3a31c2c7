import EmbeddingCache
import Dispatch
import Foundation
import Imaging
import Retrieval
import ScenarioModel
import Scenes
import SceneWorkspace

/// The explorer's backend over the real modules: a thin adapter over ``SceneWorkspace/Workspace`` (search,
/// "more like this", zero-shot, review queue, class-text vectors read from the cache) and ``SceneIndexer``,
/// plus the dataset's annotations and pictures and the marks in the ``EmbeddingCache``. The model loads in
/// the background; until it is there (or when it cannot load) browsing and marks work and model features
/// report why they cannot run instead of inventing results. Each model feature is one workspace call; what the
/// backend adds is waiting for the model and turning workspace errors into the explorer's.
public final class LiveExplorerBackend: ExplorerBackend, @unchecked Sendable {
    // @unchecked Sendable: `lock` guards every mutable field; the workspace is itself thread-safe.
    public let datasetName: String
    public let dataset: SceneDataset
    public let cache: EmbeddingCache
    private let modelName: String?
    private var loadedWorkspace: Workspace?
    private var modelProblem: String?
    private var modelLoading = false
    private var indexedKnown = false
    private let modelReady = DispatchGroup()
    private let summaries: [SceneSummary]
    private let lock = NSLockLike()
    private var imageSizes: [String: (Int, Int)] = [:]
    /// ``classLists()``, once computed.
    private var classes: ClassLists?
    /// What the background start-up is doing, for the status line.
    private var loadingStep = "loading the model…"
    /// The model loader until ``startBackgroundWork()`` takes it.
    private var pendingModelLoad: (@Sendable () throws -> any SceneEmbedder)?

    /// How many classes the zero-shot view ranks per item; an annotation outside them is a disagreement
    /// (the default of `scenarioclip classify --top`, so both flag the same items).
    public static let agreementTopK = 5

    /// Opens `datasetURL` and its cache (default: `<dataset>/.scenarioclip/cache.sqlite`). The model is loaded
    /// with `loadModel` in the background once ``startBackgroundWork()`` is called (the explorer's session does
    /// that after its first scene is ready, so start-up does not share the processor with the model and the
    /// vectors), or at the latest when a model feature first needs it. It is named `modelName` in the status
    /// line. Without a model, browsing and marks work and searches say why they cannot run.
    /// - Throws: dataset and cache errors (the explorer cannot start without them).
    public init(datasetURL: URL, cacheURL: URL? = nil, modelName: String?,
                loadModel: (@Sendable () throws -> any SceneEmbedder)?, modelUnavailableReason: String = "no model given") throws {
        dataset = try SceneDataset.load(from: datasetURL)
        guard !dataset.records.isEmpty else {
            throw ExplorerError.unavailable("dataset \(datasetURL.path) has no usable scenes (run 'scenarioclip check' on it)")
        }
        datasetName = dataset.root.lastPathComponent
        cache = try EmbeddingCache.open(at: cacheURL ?? EmbeddingCache.defaultLocation(forDataset: dataset.root))
        self.modelName = modelName
        summaries = try Self.summaries(of: dataset, correctedBy: cache)
        if let loadModel {
            modelLoading = true
            modelReady.enter()
            pendingModelLoad = loadModel
        } else {
            modelProblem = "model unavailable: \(modelUnavailableReason)"
        }
    }

    /// Starts loading the model, checking the index and warming up the search in the background (once; later
    /// calls do nothing). Until then ``status()`` says the model is loading.
    public func startBackgroundWork() {
        guard let loadModel = lock.withLock({ () -> (@Sendable () throws -> any SceneEmbedder)? in
            defer { pendingModelLoad = nil }
            return pendingModelLoad
        }) else { return }
        let dataset = dataset, cache = cache
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            var workspace: Workspace?
            var problem: String?
            var indexed = false
            do {
                let loaded = Workspace(dataset: dataset, cache: cache, model: try loadModel())
                lock.withLock { loadingStep = "loading vectors…" }
                indexed = Self.isIndexed(loaded)
                if indexed { Self.warmUp(loaded) }
                workspace = loaded
            } catch {
                problem = "model unavailable: \(error)"
            }
            lock.withLock {
                loadedWorkspace = workspace
                modelProblem = problem
                indexedKnown = indexed
                modelLoading = false
            }
            modelReady.leave()
        }
    }

    /// Wraps a workspace whose model is already loaded (named `modelName` in the status line).
    /// - Throws: ``ExplorerError/unavailable(_:)`` when the dataset has no scenes.
    public init(workspace: Workspace, modelName: String) throws {
        guard !workspace.dataset.records.isEmpty else {
            throw ExplorerError.unavailable("dataset \(workspace.dataset.root.path) has no usable scenes")
        }
        dataset = workspace.dataset
        cache = workspace.cache
        datasetName = dataset.root.lastPathComponent
        self.modelName = modelName
        summaries = try Self.summaries(of: dataset, correctedBy: cache)
        loadedWorkspace = workspace
        indexedKnown = Self.isIndexed(workspace)
    }

    /// The scene list with every stored correction applied (a scene whose corrections no longer fit its record
    /// is listed as annotated; opening it says why).
    private static func summaries(of dataset: SceneDataset, correctedBy cache: EmbeddingCache) throws -> [SceneSummary] {
        var summaries = dataset.summaries()
        for (id, corrections) in try cache.correctionsByScene() {
            guard let index = dataset.index(ofID: id), let record = try? dataset.records[index].applying(corrections) else { continue }
            summaries[index].action = record.action
            summaries[index].objects = record.objects.map(\.name)
            summaries[index].relations = record.relations.map(\.text)
        }
        return summaries
    }

    /// The workspace, waiting for the background model load to finish (starting it if nobody has; never called
    /// on the UI thread).
    /// - Throws: ``ExplorerError/unavailable(_:)`` saying why there is no model.
    public func workspace() throws -> Workspace {
        startBackgroundWork()
        modelReady.wait()
        let (workspace, problem) = lock.withLock { (loadedWorkspace, modelProblem) }
        guard let workspace else { throw ExplorerError.unavailable(problem ?? "model unavailable") }
        return workspace
    }

    public func status() -> BackendStatus {
        let (workspace, problem, loading, indexed, step) = lock.withLock {
            (loadedWorkspace, modelProblem, modelLoading, indexedKnown, loadingStep)
        }
        if loading {
            return BackendStatus(model: nil, modelProblem: step, indexed: false, marksLocation: cache.path)
        }
        return BackendStatus(model: workspace == nil ? nil : modelName, modelProblem: problem,
            indexed: workspace != nil && indexed, marksLocation: cache.path)
    }

    /// Builds what the first query needs before the model is announced ready, so the first keystroke does
    /// not pay for it: the global level's search index and one pass through the text tower. Runs in the
    /// background after the first frame; a query typed meanwhile waits for it off the UI thread.
    private static func warmUp(_ workspace: Workspace) {
        _ = try? workspace.index(.global)
        _ = try? workspace.listIndex(.global)
        _ = try? workspace.model.embedTexts(["a photo"], level: .global)
    }

    /// `true` when every scene has a cached global vector for the workspace's model. Asked off the UI thread
    /// (after the model loads, after indexing): it loads the global level, which the first search needs anyway.
    private static func isIndexed(_ workspace: Workspace) -> Bool {
        (try? workspace.scenesMissingGlobalVectors().isEmpty) ?? false
    }

    public func scenes() throws -> [SceneSummary] { summaries }

    private func record(_ id: String) throws -> SceneRecord {
        guard let record = dataset.record(id: id) else { throw ExplorerError.unknownScene(id: id) }
        return record
    }

    public func detail(sceneID: String) throws -> SceneDetail {
        let corrections = try cache.corrections(for: sceneID)
        let record: SceneRecord
        do { record = try self.record(sceneID).applying(corrections) } catch let error as ScenesError {
            throw ExplorerError.unavailable("\(error) — a stored correction no longer fits the metadata; undo it with "
                + "'scenarioclip corrections undo \(dataset.root.path) --scene \(sceneID)'")
        }
        let size = try imageSize(record)
        let objects = record.objects.map { ObjectAnnotation(name: $0.name, box: $0.box) }
        let relations = record.relations.map { relation in
            RelationAnnotation(subject: relation.subject, predicate: relation.predicate, object: relation.object,
                subjectIndex: record.objectIndex(named: relation.subject), objectIndex: record.objectIndex(named: relation.object),
                region: record.unionBox(of: relation))
        }
        let tags = summaries[dataset.index(ofID: sceneID) ?? 0].tags
        return SceneDetail(id: record.id, action: record.action, denseCaption: record.denseCaption,
            imageWidth: size.0, imageHeight: size.1, objects: objects, relations: relations, tags: tags, corrections: corrections.count)
    }

    private func imageSize(_ record: SceneRecord) throws -> (Int, Int) {
        if let size = lock.withLock({ imageSizes[record.id] }) { return size }
        let size: (Int, Int)
        do {
            let header = try Picture.readSize(contentsOf: record.imagePath)
            size = (header.width, header.height)
        } catch {
            // Unknown size: fall back to the boxes' extent so the boxes can still be drawn.
            let w = record.objects.map(\.box.x2).max() ?? 1, h = record.objects.map(\.box.y2).max() ?? 1
            size = (max(1, w), max(1, h))
        }
        lock.withLock { imageSizes[record.id] = size }
        return size
    }

    public func image(sceneID: String) throws -> RGBImage {
        try Picture.decode(contentsOf: try record(sceneID).imagePath)
    }

    // MARK: Marks

    public func marks(sceneID: String?) throws -> [AnnotationMark] {
        try cache.marks(sceneID: sceneID)
    }

    public func setMark(_ mark: AnnotationMark) throws {
        try cache.upsertMark(mark)
    }

    public func removeMark(sceneID: String, target: AnnotationMark.Target) throws {
        try cache.deleteMark(sceneID: sceneID, targetKind: target.kind, targetIndex: target.index)
    }

    // MARK: Corrections

    public func correct(sceneID: String, change: SceneCorrection.Change) throws -> SceneCorrection {
        let original = try record(sceneID)
        let current = try original.applying(try cache.corrections(for: sceneID))
        var size: (width: Int, height: Int)?
        switch change {
        case .objectBox, .addObject:
            // Boxes are checked against the picture's real size (when it can be read).
            size = try? JPEG.readSize(contentsOf: original.imagePath)
        default: break
        }
        let correction = try SceneCorrection.make(change, for: current, pictureSize: size)
        try cache.addCorrection(correction)
        return correction
    }

    public func undoCorrection(sceneID: String) throws -> SceneCorrection? {
        try cache.removeLastCorrection(sceneID: sceneID)
    }

    public func defaultExportPath() -> String { dataset.root.standardizedFileURL.path + "-export" }

    public func export(sceneIDs: [String], to path: String) throws -> Int {
        var records: [SceneRecord] = []
        records.reserveCapacity(sceneIDs.count)
        for id in sceneIDs {
            guard let record = dataset.record(id: id) else { throw ExplorerError.unknownScene(id: id) }
            records.append(record)
        }
        let folder = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        do {
            return try SubsetWriter.write(records, to: folder, force: false).records
        } catch SceneWorkspaceError.outputNotEmpty(let existing) {
            throw ExplorerError.unavailable("\(existing) exists and is not empty; give another folder")
        }
    }

    /// `classes.json`'s actions and objects, and the distinct predicates of the records' relations (sorted).
    public func classLists() -> ClassLists {
        if let lists = lock.withLock({ classes }) { return lists }
        let predicates = Set(dataset.records.lazy.flatMap { $0.relations.map(\.predicate) })
        let lists = ClassLists(actions: dataset.classes.actions, objects: dataset.classes.objects, predicates: predicates.sorted())
        lock.withLock { classes = lists }
        return lists
    }

    // MARK: Model features (through the workspace)

    /// Runs `body` on the workspace, turning workspace and parser errors into explorer errors the UI shows.
    func withWorkspace<T>(_ body: (Workspace) throws -> T) throws -> T {
        let workspace = try workspace()
        do {
            return try body(workspace)
        } catch let error as ExplorerError {
            throw error
        } catch SceneWorkspaceError.notIndexed(let level, _) {
            throw ExplorerError.unavailable("not indexed: no \(level) vectors for this model yet (press I, or run 'scenarioclip index')")
        } catch SceneWorkspaceError.unknownScene(let id) {
            throw ExplorerError.unknownScene(id: id)
        } catch let error as RetrievalError {
            throw ExplorerError.query("\(error)")
        } catch {
            throw ExplorerError.unavailable("\(error)")
        }
    }

    /// Searches the request's levels (all three for ``QueryScope/all``, merged by score) with the workspace.
    /// Text terms go through the level's text tower; image terms (`img:path`) through its vision tower.
    public func search(_ request: QueryRequest) throws -> [WorkspaceHit] {
        let expression: QueryExpression
        do { expression = try QueryExpression(parsing: request.text) } catch { throw ExplorerError.query("\(error)") }
        let levels: [Level] = request.scope == .all ? Level.allCases : [Level(rawValue: request.scope.rawValue)!]
        return try withWorkspace { try $0.search(expression, levels: levels, k: request.limit) }
    }

    public func moreLikeThis(sceneID: String, target: AnnotationMark.Target, limit: Int) throws -> [WorkspaceHit] {
        let (level, item): (Level, Int)
        switch target {
        case .scene: (level, item) = (.global, 0)
        case .object(let i): (level, item) = (.object, i)
        case .relation(let i): (level, item) = (.relation, i)
        }
        return try withWorkspace { workspace in
            try workspace.similar(toScene: sceneID, level: level, index: item, k: limit)
        }
    }

    /// The workspace's zero-shot ranking (top ``agreementTopK`` per item) of the corrected labels
    /// (``SceneWorkspace/Workspace/zeroShot(sceneID:k:corrections:)`` with the stored corrections).
    public func zeroShot(sceneID: String) throws -> SceneZeroShot {
        try withWorkspace { try $0.zeroShot(sceneID: sceneID, k: Self.agreementTopK) }
    }

    /// The workspace's review queue: scenes ordered by disagreement with their corrected labels.
    public func reviewQueue(limit: Int) throws -> [String] {
        try withWorkspace { try $0.reviewQueue(k: Self.agreementTopK, limit: limit).map(\.sceneID) }
    }

    /// Indexes what the cache lacks for this model (``SceneIndexer``: batches committed one by one, so cancelling
    /// keeps every finished batch), then has the workspace reload its vectors.
    public func index(progress: @escaping @Sendable (IndexProgress) -> Void, cancel: CancellationFlag) throws {
        let workspace = try workspace()
        let indexer = SceneIndexer(dataset: dataset, cache: cache, model: workspace.model)
        let report = try indexer.run(
            progress: { progress(IndexProgress(done: $0.done, total: $0.total)) },
            isCancelled: { cancel.isCancelled })
        workspace.reload()
        let indexed = Self.isIndexed(workspace)
        lock.withLock { indexedKnown = indexed }
        let p = report.progress
        let message: String? = if report.cancelled {
            "indexing cancelled after \(p.done) of \(p.total) items (finished batches are kept)"
        } else if let first = report.failures.first {
            "\(report.failures.count) item(s) could not be embedded: \(first)"
        } else {
            nil
        }
        progress(IndexProgress(done: p.done, total: p.total, finished: true, message: message))
    }
}
