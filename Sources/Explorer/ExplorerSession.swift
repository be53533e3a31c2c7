import SceneWorkspace
import EmbeddingCache
import Dispatch
import Foundation
import Imaging
import Scenes

/// Runs the explorer's effects against a backend: loads scenes and pictures (cached), stores marks at once,
/// and runs searches, zero-shot rankings, the review queue and indexing in the background. Background
/// results come back as events through ``drainInbox()``; the newest search wins, older ones are dropped.
public final class ExplorerSession: @unchecked Sendable {
    public private(set) var state: ExplorerState
    public let backend: any ExplorerBackend
    /// When `false` (tests), background work runs inline and its events are applied at once.
    public let runsInBackground: Bool
    /// Called from background threads when an event is waiting in the inbox.
    public var onInbox: (@Sendable () -> Void)?

    private var inbox: [ExplorerEvent] = []
    private let inboxLock = NSLockLike()
    private let searchQueue = DispatchQueue(label: "scenarioclip.explorer.search")
    private let workQueue = DispatchQueue(label: "scenarioclip.explorer.work")
    private let indexQueue = DispatchQueue(label: "scenarioclip.explorer.index")
    private var pendingSearch: (() -> Void)?
    private var searchRunning = false
    private let searchLock = NSLockLike()
    private var indexCancel: CancellationFlag?
    private let indexLock = NSLockLike()
    private var images = LRUCache<String, RGBImage>(capacity: 64)
    private var pictures = LRUCache<PictureKey, PictureCells>(capacity: 128)
    private var pixelPictures = LRUCache<PixelKey, PixelPicture>(capacity: 32)

    private struct PictureKey: Hashable {
        var sceneID: String
        var size: GridSize
        var depth: ColorDepth
    }

    private struct PixelKey: Hashable {
        var sceneID: String
        var frame: CellRect
        var boxes: [PictureBox]
        var `protocol`: PixelProtocol
        var cell: GridSize
    }

    /// Opens the session: loads the scene list and the first scene, then lets the backend start its slow
    /// preparations in the background.
    /// - Parameter cellPixels: one cell's size in screen pixels when the terminal reports it (sets the cell
    ///   aspect pictures are fitted with; pixel modes need it).
    public init(backend: any ExplorerBackend, size: GridSize, theme: Theme, pictureMode: PictureMode, runsInBackground: Bool,
                cellPixels: CellPixelSize? = nil) throws {
        self.backend = backend
        self.runsInBackground = runsInBackground
        state = ExplorerState(size: size, theme: theme, datasetName: backend.datasetName, backendStatus: backend.status())
        state.sceneView.pictureMode = pictureMode
        state.query.exportDefaultPath = backend.defaultExportPath()
        setCellPixels(cellPixels)
        state.list.scenes = try backend.scenes()
        state.applyFilterAndSort()
        if let first = state.cursorScene { perform(.loadScene(first.id)) }
        preparePicture()
        backend.startBackgroundWork()
    }

    /// Handles one event and performs what it asks for.
    public func send(_ event: ExplorerEvent) {
        let effects = state.handle(event)
        for effect in effects { perform(effect) }
        // Class names for completion are read when the first correction line opens (not at start-up).
        if !classesLoaded, case .correction = state.query.input?.kind {
            state.marks.classes = backend.classLists()
            classesLoaded = true
        }
    }

    private var classesLoaded = false

    /// Applies every event background work left in the inbox. Returns `true` when there were any.
    @discardableResult
    public func drainInbox() -> Bool {
        let events = inboxLock.withLock { () -> [ExplorerEvent] in
            defer { inbox.removeAll() }
            return inbox
        }
        for event in events { send(event) }
        return !events.isEmpty
    }

    /// Whether the quit effect was requested.
    public private(set) var quitRequested = false

    /// The frame to show now (prepares the picture for the current layout first).
    public func frame() -> CellGrid {
        preparePicture()
        return ExplorerRenderer.render(state)
    }

    /// The pixel picture to write over the frame just rendered (pixel mode), or `nil` when none should show:
    /// not in pixel mode, no scene, the terminal too small, or the help overlay covering the screen.
    public func pixelPicture() -> PixelPicture? {
        guard case .pixels = state.sceneView.pictureMode, !state.overlay.helpVisible, !state.isTooSmall, let detail = state.sceneView.detail,
            let picture = state.sceneView.pixelPicture, picture.sceneID == detail.id
        else { return nil }
        return picture
    }

    /// Records the terminal's cell size in pixels (at start and after a resize); `nil` when unknown.
    public func setCellPixels(_ cell: CellPixelSize?) {
        guard let cell, cell.width > 0, cell.height > 0 else {
            state.sceneView.cellPixels = nil
            return
        }
        state.sceneView.cellPixels = cell
        state.sceneView.cellAspect = cell.aspect
    }

    /// Shows `message` in the message line (notes from start-up, such as a picture mode fallback).
    public func notify(_ message: String) {
        state.say(message)
    }

    /// Re-reads the backend's status (model loaded, index complete). Returns `true` when it changed.
    /// With `autoIndex`, starts indexing once a model is available and the dataset is not fully indexed.
    @discardableResult
    public func refreshStatus(autoIndex: Bool) -> Bool {
        let status = backend.status()
        guard status != state.backendStatus else { return false }
        let hadModel = state.backendStatus.model != nil
        state.backendStatus = status
        if autoIndex, !hadModel, status.model != nil, !status.indexed, state.overlay.indexing == nil { startIndexing() }
        return true
    }

    /// Stops background indexing, if running.
    public func shutdown() {
        indexLock.withLock { indexCancel }?.cancel()
    }

    // MARK: Effects

    func perform(_ effect: ExplorerEffect) {
        switch effect {
        case .quit:
            quitRequested = true
        case .loadScene(let id):
            loadScene(id)
        case .search(let request, let generation):
            enqueueSearch(generation: generation) { [backend] in
                Result { try backend.search(request) }.mapError(ExplorerSession.explorerError)
            }
        case .moreLikeThis(let id, let target, let generation):
            enqueueSearch(generation: generation) { [backend] in
                Result { try backend.moreLikeThis(sceneID: id, target: target, limit: 50) }.mapError(ExplorerSession.explorerError)
            }
        case .loadZeroShot(let id):
            background(workQueue) { [backend] in
                .zeroShotLoaded(sceneID: id, Result { try backend.zeroShot(sceneID: id) }.mapError(ExplorerSession.explorerError))
            }
        case .loadDuplicates:
            background(workQueue) { [backend] in
                .duplicatesLoaded(Result { try backend.duplicates() }.mapError(ExplorerSession.explorerError))
            }
        case .export(let ids, let path):
            background(workQueue) { [backend] in
                .exportFinished(Result { ExportDone(count: try backend.export(sceneIDs: ids, to: path), path: path) }
                    .mapError(ExplorerSession.explorerError))
            }
        case .loadReviewQueue:
            background(workQueue) { [backend] in
                .reviewQueueLoaded(Result { try backend.reviewQueue(limit: 500) }.mapError(ExplorerSession.explorerError))
            }
        case .setMark(let mark):
            do { try backend.setMark(mark) } catch { state.sayError("could not save mark: \(error)") }
            refreshAllMarksIfShown()
        case .removeMark(let id, let target):
            do { try backend.removeMark(sceneID: id, target: target) } catch { state.sayError("could not remove mark: \(error)") }
            refreshAllMarksIfShown()
        case .loadAllMarks:
            do {
                state.marks.all = try backend.marks(sceneID: nil)
                state.marks.cursor = min(state.marks.cursor, max(0, state.marks.all.count - 1))
                // Opening the marks view shows the mark under the cursor.
                if state.list.mode == .marks, state.marks.all.indices.contains(state.marks.cursor) {
                    for next in state.showMark(state.marks.all[state.marks.cursor]) { perform(next) }
                }
            } catch {
                state.sayError("could not read marks: \(error)")
            }
        case .startIndexing:
            startIndexing()
        case .cancelIndexing:
            indexLock.withLock { indexCancel }?.cancel()
        case .loadInsight(let request):
            background(workQueue) { [backend] in .insightLoaded(request.run(on: backend)) }
        case .correct(let id, let change):
            do {
                let stored = try backend.correct(sceneID: id, change: change)
                correctionStored(in: id)
                state.say("stored: \(stored.summary)  (U undoes)")
            } catch {
                state.sayError("correction not stored: \(error)")
            }
        case .undoCorrection(let id):
            do {
                guard let removed = try backend.undoCorrection(sceneID: id) else {
                    state.say("no correction to undo in this scene")
                    return
                }
                state.marks.redoStack.append(removed)
                correctionStored(in: id)
                state.say("undone: \(removed.summary)  (Ctrl-R redoes)")
            } catch {
                state.sayError("could not undo: \(error)")
            }
        }
    }

    /// After a correction of scene `id` was stored or removed: reloads the scene (boxes, labels, zero-shot view)
    /// and updates its row of the scene list.
    private func correctionStored(in id: String) {
        if state.sceneView.detail?.id == id { loadScene(id) }
        guard let detail = state.sceneView.detail, detail.id == id, let index = state.list.sceneIndexByID[id] else { return }
        let tags = state.list.scenes[index].tags
        state.list.scenes[index] = SceneSummary(id: id, action: detail.action, objects: detail.objects.map(\.name),
                                           relations: detail.relations.map(\.text), tags: tags)
    }

    private func refreshAllMarksIfShown() {
        if state.list.mode == .marks { perform(.loadAllMarks) }
    }

    /// Starts background indexing (the app calls it at start when the dataset is not indexed).
    public func startIndexing() {
        let cancel = CancellationFlag()
        let started = indexLock.withLock { () -> Bool in
            guard indexCancel == nil else { return false }
            indexCancel = cancel
            return true
        }
        guard started else { return }
        state.overlay.indexing = IndexProgress(done: 0, total: 0)
        let backend = self.backend
        let run: @Sendable () -> Void = { [self] in
            // The backend's last report: its counts, and its own message when it finished early or with failures.
            let last = LastIndexProgress()
            var failure: String?
            do {
                try backend.index(progress: { progress in
                    last.set(progress)
                    if !progress.finished { self.post(.indexProgress(progress)) }
                }, cancel: cancel)
            } catch {
                failure = "indexing failed: \(error)"
            }
            self.indexFinished()
            let report = last.get()
            let message = failure ?? (report?.finished == true ? report?.message : nil)
                ?? (cancel.isCancelled ? "indexing cancelled; browsing continues, queries use what is cached" : nil)
            self.post(.indexProgress(IndexProgress(done: report?.done ?? 0, total: report?.total ?? 0, finished: true,
                                                   message: message)))
        }
        if runsInBackground { indexQueue.async(execute: run) } else { run(); drainInbox() }
    }

    private func indexFinished() {
        indexLock.withLock { indexCancel = nil }
    }

    private func loadScene(_ id: String) {
        if let shown = state.sceneView.detail?.id, shown != id {
            // Another scene replaces the one being corrected (a search result, the review queue): the edit ends.
            if state.marks.boxEdit != nil {
                state.marks.boxEdit = nil
                state.say("box edit of \(shown) cancelled: another scene is shown")
            }
            if case .correction = state.query.input?.kind {
                state.query.input = nil
                state.say("correction of \(shown) cancelled: another scene is shown")
            }
        }
        do {
            let detail = try backend.detail(sceneID: id)
            state.sceneView.detail = detail
            state.sceneView.objectCursor = min(state.sceneView.objectCursor, max(0, detail.objects.count - 1))
            state.sceneView.relationCursor = min(state.sceneView.relationCursor, max(0, detail.relations.count - 1))
            if state.sceneView.focus == .objects && detail.objects.isEmpty || state.sceneView.focus == .relations && detail.relations.isEmpty {
                state.sceneView.focus = .list
            }
            var marks: [AnnotationMark.Target: AnnotationMark] = [:]
            for mark in try backend.marks(sceneID: id) { marks[mark.target] = mark }
            state.marks.ofScene = marks
            state.sceneView.picture = nil
            state.sceneView.pixelPicture = nil
            state.sceneView.pictureProblem = nil
            if state.sceneView.zeroShotVisible {
                state.sceneView.zeroShot = nil
                perform(.loadZeroShot(id))
            }
        } catch {
            state.sceneView.detail = nil
            state.sayError("\(error)")
        }
    }

    /// Makes `state.picture` (or `state.pixelPicture`) match the current scene, layout and colour depth (cached).
    private func preparePicture() {
        guard !state.isTooSmall, let detail = state.sceneView.detail else { return }
        let layout = ExplorerLayout(size: state.size)
        guard let geometry = PictureGeometry(area: layout.picture, imageWidth: detail.imageWidth, imageHeight: detail.imageHeight, cellAspect: state.sceneView.cellAspect)
        else { return }
        switch state.sceneView.pictureMode {
        case .off: return
        case .pixels(let proto): preparePixels(detail, geometry.frame, proto)
        case .symbols(let depth): prepareSymbols(detail, geometry, depth)
        }
    }

    private func preparePixels(_ detail: SceneDetail, _ frame: CellRect, _ proto: PixelProtocol) {
        guard let cell = state.sceneView.cellPixels else { return }
        let boxes = ExplorerRenderer.pictureBoxes(state, detail)
        let key = PixelKey(sceneID: detail.id, frame: frame, boxes: boxes, protocol: proto, cell: GridSize(columns: cell.width, rows: cell.height))
        if let current = state.sceneView.pixelPicture, current.sceneID == key.sceneID, current.frame == frame, current.boxes == boxes { return }
        if let cached = pixelPictures.value(for: key) {
            state.sceneView.pixelPicture = cached
            return
        }
        do {
            let image = try images.value(for: detail.id) { try backend.image(sceneID: detail.id) }
            guard image.width > 0, image.height > 0 else { throw ExplorerError.picture(sceneID: detail.id, message: "empty picture") }
            // Scaled to the exact pixels of the frame, so the boxes drawn in stay where chafa puts the picture.
            let scaled = image.resized(width: frame.width * cell.width, height: frame.height * cell.height)
            let boxed = PictureBoxPainter.draw(boxes, into: scaled, imageWidth: detail.imageWidth, imageHeight: detail.imageHeight,
                theme: state.theme, lineWidth: max(2, cell.width / 4))
            guard let sequence = PictureRasterizer.pixelSequence(
                for: boxed, size: GridSize(columns: frame.width, rows: frame.height), cell: cell, protocol: proto)
            else { throw ExplorerError.picture(sceneID: detail.id, message: "chafa produced no \(proto.rawValue) output") }
            let picture = PixelPicture(sceneID: detail.id, protocol: proto, frame: frame, boxes: boxes, sequence: sequence)
            pixelPictures.store(picture, for: key)
            state.sceneView.pixelPicture = picture
        } catch {
            state.sceneView.pixelPicture = nil
            state.sceneView.pictureProblem = "picture unavailable: \(error)"
        }
    }

    private func prepareSymbols(_ detail: SceneDetail, _ geometry: PictureGeometry, _ depth: ColorDepth) {
        let key = PictureKey(sceneID: detail.id, size: GridSize(columns: geometry.frame.width, rows: geometry.frame.height), depth: depth)
        if state.sceneView.picture?.sceneID == key.sceneID && state.sceneView.picture?.size == key.size { return }
        do {
            state.sceneView.picture = try pictures.value(for: key) {
                let image = try images.value(for: detail.id) { try backend.image(sceneID: detail.id) }
                return PictureRasterizer.cells(for: image, sceneID: detail.id, size: key.size, depth: depth)
            }
        } catch {
            state.sceneView.picture = nil
            state.sceneView.pictureProblem = "picture unavailable: \(error)"
        }
    }

    // MARK: Background work

    private func post(_ event: ExplorerEvent) {
        inboxLock.withLock { inbox.append(event) }
        onInbox?()
    }

    private func background(_ queue: DispatchQueue, _ work: @escaping @Sendable () -> ExplorerEvent) {
        if runsInBackground {
            queue.async { [weak self] in self?.post(work()) }
        } else {
            send(work())
        }
    }

    /// Runs at most one search at a time; while one runs, only the newest request waits (older ones are dropped).
    private func enqueueSearch(generation: Int, _ work: @escaping @Sendable () -> Result<[WorkspaceHit], ExplorerError>) {
        guard runsInBackground else {
            send(.searchFinished(generation: generation, work()))
            return
        }
        let job: () -> Void = { [weak self] in self?.post(.searchFinished(generation: generation, work())) }
        searchLock.withLock {
            if searchRunning {
                pendingSearch = job
            } else {
                searchRunning = true
                runSearch(job)
            }
        }
    }

    private func runSearch(_ job: @escaping () -> Void) {
        nonisolated(unsafe) let job = job
        searchQueue.async { [weak self] in
            job()
            guard let self else { return }
            let next: (() -> Void)? = self.searchLock.withLock {
                defer { self.pendingSearch = nil }
                if self.pendingSearch == nil { self.searchRunning = false }
                return self.pendingSearch
            }
            if let next { self.runSearch(next) }
        }
    }

    static func explorerError(_ error: Error) -> ExplorerError {
        (error as? ExplorerError) ?? .unavailable("\(error)")
    }
}

/// The latest progress report of a background indexing run (written by the indexing thread, read when it ends).
private final class LastIndexProgress: @unchecked Sendable {
    private let lock = NSLockLike()
    private var progress: IndexProgress?

    func set(_ progress: IndexProgress) { lock.withLock { self.progress = progress } }
    func get() -> IndexProgress? { lock.withLock { progress } }
}
