import EmbeddingCache
import Scenes
import SceneWorkspace

/// A key the explorer understands, decoded from the terminal.
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, delete, tab, backTab
    /// Control + a letter (lower case).
    case ctrl(Character)
}

/// What a mouse did at a cell.
public enum MouseAction: Hashable, Sendable {
    /// The left button pressed (or clicked).
    case click
    /// The left button released (after a press: the end of a drag).
    case release
    case wheelUp, wheelDown
}

/// Everything that can change the explorer's state: input, resizes, and results of background work.
public enum ExplorerEvent: Sendable {
    case key(Key)
    case mouse(column: Int, row: Int, MouseAction)
    case resize(GridSize)
    /// A search (or more-like-this) finished; `generation` tells stale results from the latest.
    case searchFinished(generation: Int, Result<[WorkspaceHit], ExplorerError>)
    case zeroShotLoaded(sceneID: String, Result<SceneZeroShot, ExplorerError>)
    case reviewQueueLoaded(Result<[String], ExplorerError>)
    case duplicatesLoaded(Result<[DuplicateRow], ExplorerError>)
    /// An export (`E`) finished: the number of scenes written and the folder, or why nothing was written.
    case exportFinished(Result<ExportDone, ExplorerError>)
    case indexProgress(IndexProgress)
    /// The class report or an embedding map (or its disagreements) arrived.
    case insightLoaded(InsightResult)
}

/// Work `handle` asks the session to do; the state itself never calls the backend.
public enum ExplorerEffect: Equatable, Sendable {
    case quit
    /// Load the scene's annotation, marks and picture (fast, done at once).
    case loadScene(String)
    /// Run a search in the background.
    case search(QueryRequest, generation: Int)
    /// Run more-like-this in the background.
    case moreLikeThis(sceneID: String, target: AnnotationMark.Target, generation: Int)
    case loadZeroShot(String)
    case loadReviewQueue
    /// Find the dataset's duplicate groups in the background.
    case loadDuplicates
    case setMark(AnnotationMark)
    case removeMark(sceneID: String, target: AnnotationMark.Target)
    /// Reload the list of every mark (for the marks view).
    case loadAllMarks
    case startIndexing
    case cancelIndexing
    /// Load the class report or an embedding map in the background.
    case loadInsight(InsightRequest)
    /// Store a correction of the scene, then reload it with its corrections applied.
    case correct(sceneID: String, change: SceneCorrection.Change)
    /// Remove the scene's latest correction (it joins the redo list), then reload the scene.
    case undoCorrection(sceneID: String)
    /// Write the scenes as a reference-format dataset in the folder `path`, in the background.
    case export(sceneIDs: [String], path: String)
}

/// A finished export: how many scenes went to which folder.
public struct ExportDone: Equatable, Sendable {
    public var count: Int
    public var path: String

    public init(count: Int, path: String) {
        self.count = count
        self.path = path
    }
}
