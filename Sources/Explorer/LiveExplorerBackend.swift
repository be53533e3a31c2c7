import EmbeddingCache
import Dispatch
import Foundation
import Imaging
import ScenarioModel
import Scenes
import SceneWorkspace

/// The explorer's backend over the real modules: a ``SceneDataset`` in the reference format, its SQLite
/// ``EmbeddingCache`` (vectors and marks) and a ScenarioCLIP model. Parts that cannot work report why
/// (no model, nothing indexed) instead of inventing results.
public final class LiveExplorerBackend: ExplorerBackend, @unchecked Sendable {
    public let datasetName: String
    public let dataset: SceneDataset
    public let cache: EmbeddingCache
    private let modelName: String?
    private var loadedModel: (any SceneEmbedder)?
    private var modelProblem: String?
    private var modelLoading = false
    private var indexedKnown: Bool?
    private let modelReady = DispatchGroup()
    private let summaries: [SceneSummary]
    private let lock = NSLockLike()
    private var imageSizes: [String: (Int, Int)] = [:]
    private var levels: [Level: SceneVectors] = [:]
    private var classVectors: [Level: SceneVectors] = [:]

    /// Opens `datasetURL` and its cache (default: `<dataset>/.scenarioclip/cache.sqlite`), and starts loading
    /// the model with `loadModel` in the background (named `modelName` in the status line). Without a model,
    /// browsing and marks work and searches say why they cannot run.
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
        let splits = dataset.splits()
        summaries = dataset.records.enumerated().map { index, record in
            var tags = [splits[index].rawValue]
            if record.unseen == true { tags.append("unseen") }
            return SceneSummary(id: record.id, action: record.action, objects: record.objects.map(\.name),
                relations: record.relations.map(\.text), tags: tags)
        }
        if let loadModel {
            modelLoading = true
            modelReady.enter()
            DispatchQueue.global(qos: .userInitiated).async { [self] in
                var model: (any SceneEmbedder)?
                var problem: String?
                do { model = try loadModel() } catch { problem = "model unavailable: \(error)" }
                lock.withLock {
                    loadedModel = model
                    modelProblem = problem
                    modelLoading = false
                }
                modelReady.leave()
            }
        } else {
            modelProblem = "model unavailable: \(modelUnavailableReason)"
        }
    }

    /// The model, waiting for the background load to finish (never called on the UI thread).
    var model: (any SceneEmbedder)? {
        modelReady.wait()
        return lock.withLock { loadedModel }
    }

    public func status() -> BackendStatus {
        let (model, problem, loading) = lock.withLock { (loadedModel, modelProblem, modelLoading) }
        if loading {
            return BackendStatus(model: nil, modelProblem: "loading the model…", indexed: false, marksLocation: cache.path)
        }
        return BackendStatus(model: model == nil ? nil : modelName, modelProblem: problem, indexed: isIndexed(model), marksLocation: cache.path)
    }

    /// `true` when the cache holds global vectors of every scene for this model (asked once, again after indexing).
    func isIndexed(_ model: (any SceneEmbedder)?) -> Bool {
        guard let model else { return false }
        if let known = lock.withLock({ indexedKnown }) { return known }
        guard let counts = try? cache.vectorCounts() else { return false }
        let global = counts.first { $0.fingerprint == model.fingerprint && $0.level == .global }?.count ?? 0
        let indexed = global >= dataset.records.count
        lock.withLock { indexedKnown = indexed }
        return indexed
    }

    public func scenes() throws -> [SceneSummary] { summaries }

    private func record(_ id: String) throws -> SceneRecord {
        guard let record = dataset.record(id: id) else { throw ExplorerError.unknownScene(id: id) }
        return record
    }

    public func detail(sceneID: String) throws -> SceneDetail {
        let record = try record(sceneID)
        let size = try imageSize(record)
        let objects = record.objects.map { ObjectAnnotation(name: $0.name, box: $0.box) }
        let relations = record.relations.map { relation in
            RelationAnnotation(subject: relation.subject, predicate: relation.predicate, object: relation.object,
                subjectIndex: record.objectIndex(named: relation.subject), objectIndex: record.objectIndex(named: relation.object),
                region: record.unionBox(of: relation))
        }
        let tags = summaries[dataset.index(ofID: sceneID) ?? 0].tags
        return SceneDetail(id: record.id, action: record.action, denseCaption: record.denseCaption,
            imageWidth: size.0, imageHeight: size.1, objects: objects, relations: relations, tags: tags)
    }

    private func imageSize(_ record: SceneRecord) throws -> (Int, Int) {
        if let size = lock.withLock({ imageSizes[record.id] }) { return size }
        let size: (Int, Int)
        do {
            let header = try JPEG.readSize(contentsOf: record.imagePath)
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
        try JPEG.decode(contentsOf: try record(sceneID).imagePath)
    }

    // MARK: Marks

    public func marks(sceneID: String?) throws -> [Mark] {
        try cache.marks(sceneID: sceneID).map { mark in
            let target: MarkTarget
            switch mark.targetKind {
            case .scene: target = .scene
            case .object: target = .object(mark.targetIndex)
            case .relation: target = .relation(mark.targetIndex)
            }
            return Mark(sceneID: mark.sceneID, target: target, verdict: MarkVerdict(rawValue: mark.verdict.rawValue) ?? .unsure, note: mark.note)
        }
    }

    static func kindAndIndex(_ target: MarkTarget) -> (AnnotationMark.TargetKind, Int) {
        switch target {
        case .scene: return (.scene, 0)
        case .object(let i): return (.object, i)
        case .relation(let i): return (.relation, i)
        }
    }

    public func setMark(_ mark: Mark) throws {
        let (kind, index) = LiveExplorerBackend.kindAndIndex(mark.target)
        try cache.upsertMark(AnnotationMark(sceneID: mark.sceneID, targetKind: kind, targetIndex: index,
            verdict: AnnotationMark.Verdict(rawValue: mark.verdict.rawValue)!, note: mark.note))
    }

    public func removeMark(sceneID: String, target: MarkTarget) throws {
        let (kind, index) = LiveExplorerBackend.kindAndIndex(target)
        try cache.deleteMark(sceneID: sceneID, targetKind: kind, targetIndex: index)
    }

    // MARK: Vectors

    private func requireModel() throws -> any SceneEmbedder {
        guard let model else { throw ExplorerError.unavailable(lock.withLock { modelProblem } ?? "model unavailable") }
        return model
    }

    static func cacheLevel(_ level: Level) -> CacheLevel {
        switch level {
        case .global: return .global
        case .object: return .object
        case .relation: return .relation
        }
    }

    /// The level's cached image vectors, L2-normalised (loaded once, reloaded after indexing).
    func imageVectors(_ level: Level) throws -> SceneVectors {
        let model = try requireModel()
        if let cached = lock.withLock({ levels[level] }) { return cached }
        let loaded = try cache.loadLevel(fingerprint: model.fingerprint, level: LiveExplorerBackend.cacheLevel(level))
        guard loaded.count > 0 else {
            throw ExplorerError.unavailable("not indexed: no \(level.rawValue) vectors for this model yet (press I, or run 'scenarioclip index')")
        }
        let vectors = try SceneVectors(width: loaded.width, values: loaded.matrix.scalars,
            sceneIDs: loaded.sceneIDs, itemIndices: loaded.itemIndices.map(Int.init))
        lock.withLock { levels[level] = vectors }
        return vectors
    }

    /// Text vectors of the dataset's classes at `level`, normalised, embedded once.
    func classTextVectors(_ level: Level) throws -> SceneVectors {
        let model = try requireModel()
        if let cached = lock.withLock({ classVectors[level] }) { return cached }
        let labels: [String]
        switch level {
        case .global: labels = dataset.classes.actions
        case .object: labels = dataset.classes.objects
        case .relation: labels = dataset.classes.relations
        }
        guard !labels.isEmpty else { throw ExplorerError.unavailable("the dataset lists no \(level.rawValue) classes") }
        let embedded = try model.embedTexts(labels, level: level).scalars
        let vectors = try SceneVectors(width: model.embeddingWidth, values: embedded,
            sceneIDs: labels, itemIndices: Array(labels.indices), compact: false)
        lock.withLock { classVectors[level] = vectors }
        return vectors
    }

    /// The unit query vector of a plain or weighted text expression at `level`.
    func queryVector(_ text: String, level: Level) throws -> [Float] {
        let model = try requireModel()
        return try SceneVectors.queryVector(text) { texts in
            let embedded = try model.embedTexts(texts, level: level).scalars
            let width = model.embeddingWidth
            return texts.indices.map { Array(embedded[$0 * width..<($0 + 1) * width]) }
        }
    }

    private func hits(_ vectors: SceneVectors, level: Level, query: [Float], limit: Int, excluding: (String, Int)? = nil) throws -> [QueryHit] {
        try vectors.top(query, limit: limit + (excluding == nil ? 0 : 1)).compactMap { row, score in
            let sceneID = vectors.sceneIDs[row], item = vectors.itemIndices[row]
            if let excluding, excluding.0 == sceneID && excluding.1 == item { return nil }
            let record = try record(sceneID)
            switch level {
            case .global:
                return QueryHit(sceneID: sceneID, level: .global, label: record.action, region: nil, itemIndex: nil, score: score)
            case .object:
                guard record.objects.indices.contains(item) else { return nil }
                let object = record.objects[item]
                return QueryHit(sceneID: sceneID, level: .object, label: object.name, region: object.box, itemIndex: item, score: score)
            case .relation:
                guard record.relations.indices.contains(item) else { return nil }
                let relation = record.relations[item]
                return QueryHit(sceneID: sceneID, level: .relation, label: relation.text, region: record.unionBox(of: relation), itemIndex: item, score: score)
            }
        }.prefix(limit).map { $0 }
    }

    public func search(_ request: QueryRequest) throws -> [QueryHit] {
        let scopes: [Level] = request.scope == .all ? [.global, .object, .relation] : [Level(rawValue: request.scope.rawValue)!]
        var all: [QueryHit] = []
        for level in scopes {
            let vectors = try imageVectors(level)
            all += try hits(vectors, level: level, query: try queryVector(request.text, level: level), limit: request.limit)
        }
        return Array(all.sorted { $0.score > $1.score }.prefix(request.limit))
    }

    public func moreLikeThis(sceneID: String, target: MarkTarget, limit: Int) throws -> [QueryHit] {
        let (level, item): (Level, Int)
        switch target {
        case .scene: (level, item) = (.global, 0)
        case .object(let i): (level, item) = (.object, i)
        case .relation(let i): (level, item) = (.relation, i)
        }
        let vectors = try imageVectors(level)
        guard let row = vectors.row(sceneID: sceneID, item: item) else {
            throw ExplorerError.unavailable("not indexed: \(sceneID) \(target) has no cached vector")
        }
        return try hits(vectors, level: level, query: vectors.vector(row), limit: limit, excluding: (sceneID, item))
    }

    /// How many labels count as "the model's top" when checking an annotation.
    public static let agreementTopK = 3

    public func zeroShot(sceneID: String) throws -> ZeroShotReport {
        let record = try record(sceneID)
        func item(_ level: Level, index: Int, annotated: String) throws -> ZeroShotItem {
            let vectors = try imageVectors(level)
            let classes = try classTextVectors(level)
            guard let row = vectors.row(sceneID: sceneID, item: index) else {
                return ZeroShotItem(annotated: annotated, top: [])
            }
            let top = try classes.top(vectors.vector(row), limit: LiveExplorerBackend.agreementTopK)
                .map { ScoredLabel(classes.sceneIDs[$0.0], $0.1) }
            return ZeroShotItem(annotated: annotated, top: top)
        }
        return ZeroShotReport(
            sceneID: sceneID,
            action: try item(.global, index: 0, annotated: record.action),
            objects: try record.objects.indices.map { try item(.object, index: $0, annotated: record.objects[$0].name) },
            relations: try record.relations.indices.map { try item(.relation, index: $0, annotated: record.relations[$0].text) })
    }

    public func reviewQueue(limit: Int) throws -> [String] {
        var scored: [(String, Int)] = []
        for record in dataset.records {
            let report = try zeroShot(sceneID: record.id)
            if report.disagreementCount > 0 { scored.append((record.id, report.disagreementCount)) }
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// Indexes what the cache lacks for this model (``SceneIndexer``: batches committed one by one, so cancelling
    /// keeps every finished batch), then reloads the vectors.
    public func index(progress: @escaping @Sendable (IndexProgress) -> Void, cancel: CancellationFlag) throws {
        let model = try requireModel()
        let indexer = SceneIndexer(dataset: dataset, cache: cache, model: model)
        let report = try indexer.run(
            progress: { progress(IndexProgress(done: $0.done, total: $0.total)) },
            isCancelled: { cancel.isCancelled })
        reloadVectors()
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

    /// Forgets loaded vectors (after indexing added some).
    func reloadVectors() {
        lock.withLock {
            levels.removeAll()
            indexedKnown = nil
        }
    }
}
