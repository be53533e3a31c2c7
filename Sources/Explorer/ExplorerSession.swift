import Dispatch
import Foundation
import Imaging

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
    private var images = ImageCache(capacity: 64)
    private var pictures: [PictureKey: PictureCells] = [:]
    private var pictureOrder: [PictureKey] = []

    private struct PictureKey: Hashable {
        var sceneID: String
        var size: GridSize
        var depth: ColorDepth
    }

    /// Opens the session: loads the scene list and the first scene.
    public init(backend: any ExplorerBackend, size: GridSize, theme: Theme, pictureMode: PictureMode, runsInBackground: Bool) throws {
        self.backend = backend
        self.runsInBackground = runsInBackground
        state = ExplorerState(size: size, theme: theme, datasetName: backend.datasetName, backendStatus: backend.status())
        state.pictureMode = pictureMode
        state.scenes = try backend.scenes()
        state.applyFilterAndSort()
        if let first = state.cursorScene { perform(.loadScene(first.id)) }
        preparePicture()
    }

    /// Handles one event and performs what it asks for.
    public func send(_ event: ExplorerEvent) {
        let effects = state.handle(event)
        for effect in effects { perform(effect) }
    }

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

    /// Re-reads the backend's status (model loaded, index complete). Returns `true` when it changed.
    /// With `autoIndex`, starts indexing once a model is available and the dataset is not fully indexed.
    @discardableResult
    public func refreshStatus(autoIndex: Bool) -> Bool {
        let status = backend.status()
        guard status != state.backendStatus else { return false }
        let hadModel = state.backendStatus.model != nil
        state.backendStatus = status
        if autoIndex, !hadModel, status.model != nil, !status.indexed, state.indexing == nil { startIndexing() }
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
                state.allMarks = try backend.marks(sceneID: nil)
                state.markCursor = min(state.markCursor, max(0, state.allMarks.count - 1))
                // Opening the marks view shows the mark under the cursor.
                if state.listMode == .marks, state.allMarks.indices.contains(state.markCursor) {
                    for next in state.showMark(state.allMarks[state.markCursor]) { perform(next) }
                }
            } catch {
                state.sayError("could not read marks: \(error)")
            }
        case .startIndexing:
            startIndexing()
        case .cancelIndexing:
            indexLock.withLock { indexCancel }?.cancel()
        }
    }

    private func refreshAllMarksIfShown() {
        if state.listMode == .marks { perform(.loadAllMarks) }
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
        state.indexing = IndexProgress(done: 0, total: 0)
        let backend = self.backend
        let run: @Sendable () -> Void = { [self] in
            var failure: String?
            do {
                try backend.index(progress: { progress in
                    if !progress.finished { self.post(.indexProgress(progress)) }
                }, cancel: cancel)
            } catch {
                failure = "indexing failed: \(error)"
            }
            self.indexFinished()
            self.post(.indexProgress(IndexProgress(done: 0, total: 0, finished: true,
                message: failure ?? (cancel.isCancelled ? "indexing cancelled; browsing continues, queries use what is cached" : nil))))
        }
        if runsInBackground { indexQueue.async(execute: run) } else { run(); drainInbox() }
    }

    private func indexFinished() {
        indexLock.withLock { indexCancel = nil }
    }

    private func loadScene(_ id: String) {
        do {
            let detail = try backend.detail(sceneID: id)
            state.detail = detail
            state.objectCursor = min(state.objectCursor, max(0, detail.objects.count - 1))
            state.relationCursor = min(state.relationCursor, max(0, detail.relations.count - 1))
            if state.focus == .objects && detail.objects.isEmpty || state.focus == .relations && detail.relations.isEmpty {
                state.focus = .list
            }
            var marks: [MarkTarget: Mark] = [:]
            for mark in try backend.marks(sceneID: id) { marks[mark.target] = mark }
            state.sceneMarks = marks
            state.picture = nil
            state.pictureProblem = nil
            if state.zeroShotVisible {
                state.zeroShot = nil
                perform(.loadZeroShot(id))
            }
        } catch {
            state.detail = nil
            state.sayError("\(error)")
        }
    }

    /// Makes `state.picture` match the current scene, layout and colour depth (cached).
    private func preparePicture() {
        guard case .symbols(let depth) = state.pictureMode, !state.isTooSmall, let detail = state.detail else { return }
        let layout = ExplorerLayout(size: state.size)
        guard let geometry = PictureGeometry(area: layout.picture, imageWidth: detail.imageWidth, imageHeight: detail.imageHeight, cellAspect: state.cellAspect)
        else { return }
        let key = PictureKey(sceneID: detail.id, size: GridSize(columns: geometry.frame.width, rows: geometry.frame.height), depth: depth)
        if state.picture?.sceneID == key.sceneID && state.picture?.size == key.size { return }
        if let cached = pictures[key] {
            state.picture = cached
            return
        }
        do {
            let image = try images.image(for: detail.id) { try backend.image(sceneID: detail.id) }
            let cells = PictureRasterizer.cells(for: image, sceneID: detail.id, size: key.size, depth: depth)
            pictures[key] = cells
            pictureOrder.append(key)
            if pictureOrder.count > 128 { pictures[pictureOrder.removeFirst()] = nil }
            state.picture = cells
        } catch {
            state.picture = nil
            state.pictureProblem = "picture unavailable: \(error)"
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
    private func enqueueSearch(generation: Int, _ work: @escaping @Sendable () -> Result<[QueryHit], ExplorerError>) {
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

/// Decoded pictures, least recently used dropped first.
struct ImageCache {
    let capacity: Int
    private var images: [String: RGBImage] = [:]
    private var order: [String] = []

    init(capacity: Int) { self.capacity = capacity }

    mutating func image(for id: String, load: () throws -> RGBImage) throws -> RGBImage {
        if let image = images[id] {
            if let i = order.firstIndex(of: id) { order.remove(at: i) }
            order.append(id)
            return image
        }
        let image = try load()
        images[id] = image
        order.append(id)
        if order.count > capacity { images[order.removeFirst()] = nil }
        return image
    }
}
