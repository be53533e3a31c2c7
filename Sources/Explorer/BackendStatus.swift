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
