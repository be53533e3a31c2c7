import EmbeddingCache
import Foundation
import Imaging
import Scenes
import SceneWorkspace

/// Which pane the movement keys act on.
public enum Focus: String, Sendable, CaseIterable {
    case list, objects, relations
}

/// What the left pane lists.
public enum ListMode: Equatable, Sendable {
    case scenes
    /// Query or more-like-this results.
    case results
    /// Every mark in the dataset.
    case marks
    /// Scenes ordered by model disagreement.
    case review
    /// Duplicate groups, each group's members on adjacent rows.
    case duplicates
}

/// The line being typed at the bottom of the screen.
public struct InputLine: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case query, filter, note(AnnotationMark.Target)
        /// The folder to export the list in view into (`E`).
        case export
        /// A correction of the scene in view (``CorrectionField``); Tab completes from the dataset's classes.
        case correction(CorrectionField)
    }

    public var kind: Kind
    public var text: String
    /// Cursor position in characters.
    public var cursor: Int
    /// What Tab completes from (the text typed before the first Tab), until the next keystroke.
    public var completionStem: String?

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
        cursor = text.count
    }
}

/// How pictures are drawn.
public enum PictureMode: Equatable, Sendable {
    /// Symbol mosaics coloured with the given depth (libchafa).
    case symbols(ColorDepth)
    /// Real pixels through a terminal graphics protocol (libchafa's encoders); boxes are drawn into the pixels.
    case pixels(PixelProtocol)
    /// No picture, a dotted placeholder (tests, `--no-pictures`).
    case off
}

/// A terminal graphics protocol that shows pixels.
public enum PixelProtocol: String, Equatable, Sendable, CaseIterable {
    /// DEC sixel graphics (foot, mlterm, WezTerm, iTerm2, Konsole, contour, xterm built with sixel, …).
    case sixels
    /// The kitty graphics protocol (kitty, Ghostty).
    case kitty
}

/// The size of one terminal cell in screen pixels.
public struct CellPixelSize: Equatable, Sendable {
    /// Pixels across one cell.
    public var width: Int
    /// Pixels down one cell.
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Width ÷ height.
    public var aspect: Double { Double(width) / Double(height) }
}

/// Colours a terminal can show.
public enum ColorDepth: String, Equatable, Sendable {
    case truecolor, colors256 = "256", colors16 = "16", mono
}

/// A picture turned into cells, ready to place on the grid.
public struct PictureCells: Equatable, Sendable {
    public var sceneID: String
    public var size: GridSize
    /// Row-major, `size.columns * size.rows`.
    public var cells: [Cell]

    public init(sceneID: String, size: GridSize, cells: [Cell]) {
        self.sceneID = sceneID
        self.size = size
        self.cells = cells
    }
}

/// The whole explorer state, grouped as a reader looks for it: ``list``, ``marks``, ``sceneView``, ``query`` and
/// ``overlay``. `ExplorerRenderer.render` only reads it; `handle` changes it.
public struct ExplorerState: Sendable {
    public var size: GridSize
    public var theme: Theme
    public var datasetName: String
    public var backendStatus: BackendStatus

    /// The scene list and the other lists it switches to (results, marks, review, duplicates).
    public var list = ListState()
    /// The marks, the review queue and the corrections being made.
    public var marks = MarksState()
    /// The scene shown: its detail, picture, cursors and zero-shot panel.
    public var sceneView = SceneViewState()
    /// The line being typed, the query and its search.
    public var query = QueryState()
    /// What is drawn over the rest: help, the message line, indexing progress, the insight views.
    public var overlay = OverlayState()

    /// Smallest terminal the explorer draws in.
    public static let minimumSize = GridSize(columns: 60, rows: 16)

    public init(size: GridSize, theme: Theme, datasetName: String, backendStatus: BackendStatus) {
        self.size = size
        self.theme = theme
        self.datasetName = datasetName
        self.backendStatus = backendStatus
    }

    /// `true` when the terminal is too small to draw anything useful.
    public var isTooSmall: Bool {
        size.columns < ExplorerState.minimumSize.columns || size.rows < ExplorerState.minimumSize.rows
    }

    /// The scene with id `id`, or `nil`. O(1).
    public func scene(id: String) -> SceneSummary? { list.sceneIndexByID[id].map { list.scenes[$0] } }

    /// The scene under the list cursor in scenes mode.
    public var cursorScene: SceneSummary? {
        list.visible.indices.contains(list.sceneCursor) ? list.scenes[list.visible[list.sceneCursor]] : nil
    }

    /// The mark target the focus points at.
    public var focusedTarget: AnnotationMark.Target {
        switch sceneView.focus {
        case .list: return .scene
        case .objects: return .object(sceneView.objectCursor)
        case .relations: return .relation(sceneView.relationCursor)
        }
    }

    /// Recomputes `visible` from filter and sort, keeping the cursor on the same scene when it stays visible.
    public mutating func applyFilterAndSort() {
        let currentID = cursorScene?.id
        var indices = list.filter.isEmpty ? Array(list.scenes.indices) : list.scenes.indices.filter { list.filter.matches(list.scenes[$0]) }
        switch list.sort {
        case .dataset: break
        case .id: indices.sort { list.scenes[$0].id.localizedStandardCompare(list.scenes[$1].id) == .orderedAscending }
        case .action: indices.sort { (list.scenes[$0].action, $0) < (list.scenes[$1].action, $1) }
        case .objects: indices.sort { (-list.scenes[$0].objects.count, $0) < (-list.scenes[$1].objects.count, $1) }
        }
        list.visible = indices
        if let currentID, let i = list.visible.firstIndex(where: { list.scenes[$0].id == currentID }) {
            list.sceneCursor = i
        } else {
            list.sceneCursor = min(list.sceneCursor, max(0, list.visible.count - 1))
        }
    }
}

/// The dataset's class names offered by Tab in a correction line.
public struct ClassLists: Equatable, Sendable {
    public var actions: [String]
    public var objects: [String]
    /// Distinct relation predicates of the dataset's records.
    public var predicates: [String]

    public init(actions: [String] = [], objects: [String] = [], predicates: [String] = []) {
        self.actions = actions
        self.objects = objects
        self.predicates = predicates
    }
}

extension ExplorerState {
    /// The scene list and the lists it switches to.
    public struct ListState: Sendable {
        public var scenes: [SceneSummary] = [] {
            didSet {
                var index: [String: Int] = [:]
                index.reserveCapacity(scenes.count)
                for (i, scene) in scenes.enumerated() where index[scene.id] == nil { index[scene.id] = i }
                sceneIndexByID = index
            }
        }
        /// Position of each scene id in `scenes`.
        public private(set) var sceneIndexByID: [String: Int] = [:]
        /// Indices into `scenes` after filter and sort.
        public var visible: [Int] = []
        public var filter = SceneFilter()
        public var sort: SceneSort = .dataset
        /// Which list the left pane shows.
        public var mode: ListMode = .scenes
        public var sceneCursor = 0
        public var scroll = 0
        /// The last query's hits and their title.
        public var results: [WorkspaceHit] = []
        public var resultsTitle = ""
        public var resultCursor = 0
        public var duplicateRows: [DuplicateRow] = []
        public var duplicateCursor = 0

        public init() {}
    }

    /// The marks, the review queue and the corrections being made.
    public struct MarksState: Sendable {
        /// Every mark of the dataset (the marks list).
        public var all: [AnnotationMark] = []
        public var cursor = 0
        /// The scenes of the review queue.
        public var reviewIDs: [String] = []
        public var reviewCursor = 0
        /// The marks of the scene shown, by target.
        public var ofScene: [AnnotationMark.Target: AnnotationMark] = [:]
        /// The box being moved or resized, drawn in place of the object's box.
        public var boxEdit: BoxEdit?
        /// Corrections undone since the explorer opened, latest last (Ctrl-R stores the scene's latest again).
        public var redoStack: [SceneCorrection] = []
        /// Class names for completion in correction lines.
        public var classes = ClassLists()

        public init() {}
    }

    /// The scene shown.
    public struct SceneViewState: Sendable {
        public var focus: Focus = .list
        public var detail: SceneDetail?
        public var objectCursor = 0
        public var relationCursor = 0
        /// Region of the query hit being shown, highlighted over the picture.
        public var hitRegion: PixelBox?
        public var picture: PictureCells?
        /// The picture encoded for a pixel protocol (pixel mode), with its boxes drawn in.
        public var pixelPicture: PixelPicture?
        public var pictureProblem: String?
        public var pictureMode: PictureMode = .off
        /// Width ÷ height of one terminal cell in pixels (about 0.5).
        public var cellAspect: Double = 0.5
        /// One cell's size in screen pixels, when the terminal reports it (pixel pictures need it).
        public var cellPixels: CellPixelSize?
        public var zeroShotVisible = false
        public var zeroShot: SceneZeroShot?
        public var zeroShotProblem: String?

        public init() {}
    }

    /// The line being typed, the query and its search.
    public struct QueryState: Sendable {
        /// The line being typed (query, filter, correction, export), if one is open.
        public var input: InputLine?
        public var text = ""
        public var scope: QueryScope = .global
        /// Bumped for every search sent; results of older ones are dropped.
        public var generation = 0
        public var inFlight = false
        public var lastProblem: String?
        /// The filter before the filter line opened (Esc restores it).
        public var filterBeforeEditing: SceneFilter?
        /// The folder the export line (`E`) starts with.
        public var exportDefaultPath = "export"

        public init() {}
    }

    /// What is drawn over the rest.
    public struct OverlayState: Sendable {
        public var helpVisible = false
        public var message: String?
        public var messageIsError = false
        public var indexing: IndexProgress?
        /// The class view, confusion heat map and embedding map (`ExplorerState+ClassView.swift`).
        public var insight = InsightState()

        public init() {}
    }
}
