import ScenarioModel
import SceneWorkspace
import Scenes

/// Which full-screen insight view is open.
public enum InsightView: Equatable, Sendable {
    /// Per-class counts and accuracy of one level.
    case classes
    /// The level's top-1 confusion matrix as a heat map.
    case heatMap
    /// The 2-D embedding map of a level.
    case map
}

/// Background work the insight views ask for.
public enum InsightRequest: Equatable, Sendable {
    case classReport
    case map(Level)
    case disagreements(EmbeddingMapPoints)

    /// Runs the request on `backend` (off the UI thread).
    func run(on backend: any ExplorerBackend) -> InsightResult {
        switch self {
        case .classReport:
            return .classReport(Result { try backend.classReport() }.mapError(ExplorerSession.explorerError))
        case .map(let level):
            return .map(level, Result { try backend.embeddingMap(level: level) }.mapError(ExplorerSession.explorerError))
        case .disagreements(let points):
            return .disagreements(points.level, Result { try backend.mapDisagreements(level: points.level, points: points) }
                .mapError(ExplorerSession.explorerError))
        }
    }
}

/// What came back from an ``InsightRequest``.
public enum InsightResult: Sendable {
    case classReport(Result<ClassReport, ExplorerError>)
    case map(Level, Result<EmbeddingMapPoints, ExplorerError>)
    case disagreements(Level, Result<[Bool], ExplorerError>)
}

/// State of the class view, the confusion heat map and the embedding map.
public struct InsightState: Sendable {
    /// The open view, or `nil` for the scene browser.
    public var view: InsightView?
    /// Level shown by the class view and heat map.
    public var classLevel: Level = .global
    public var report: ClassReport?
    public var reportProblem: String?
    public var loadingReport = false
    /// Row of the class table under the cursor, and the first row shown.
    public var classCursor = 0
    public var classScroll = 0
    /// Heat-map cell under the cursor: annotated class (row) and predicted class (column), in table order.
    public var heatRow = 0
    public var heatColumn = 0
    /// The embedding map's state (`ExplorerState+EmbeddingMap.swift`).
    public var map = EmbeddingMapState()

    public init() {}

    /// Classes of the shown level with at least one annotation, most annotated first (the table's rows).
    public var classRows: [ClassStatistics] {
        guard let level = report?.level(classLevel) else { return [] }
        return level.classes.filter { $0.total > 0 }.sorted { ($1.total, $0.name) < ($0.total, $1.name) }
    }
}

extension ExplorerState {
    /// Keys of the insight views, and the keys that open them (`C` classes, `V` map). `nil`: not an insight key.
    mutating func handleInsightKey(_ key: Key) -> [ExplorerEffect]? {
        switch overlay.insight.view {
        case nil:
            switch key {
            case .char("C"): return openClassView()
            case .char("V"): return openEmbeddingMap(level: overlay.insight.map.level)
            default: return nil
            }
        case .classes?: return handleClassKey(key)
        case .heatMap?: return handleHeatKey(key)
        case .map?: return handleMapKey(key)
        }
    }

    mutating func openClassView() -> [ExplorerEffect] {
        overlay.insight.view = .classes
        guard overlay.insight.report == nil, !overlay.insight.loadingReport else { return [] }
        overlay.insight.loadingReport = true
        overlay.insight.reportProblem = nil
        say("ranking every item for the class report…")
        return [.loadInsight(.classReport)]
    }

    /// Rows of a full-screen insight view's body (title, status and message lines excluded).
    var insightBodyHeight: Int { max(1, size.rows - 3) }

    mutating func handleClassKey(_ key: Key) -> [ExplorerEffect] {
        let rows = overlay.insight.classRows
        let page = max(1, insightBodyHeight - 4)
        switch key {
        case .escape, .char("C"), .char("q"):
            overlay.insight.view = nil
        case .char("?"):
            overlay.helpVisible = true
        case .tab, .char("l"), .right:
            overlay.insight.classLevel = Level.allCases[(Level.allCases.firstIndex(of: overlay.insight.classLevel)! + 1) % Level.allCases.count]
            overlay.insight.classCursor = 0
            overlay.insight.classScroll = 0
        case .backTab, .char("h"), .left:
            overlay.insight.classLevel = Level.allCases[(Level.allCases.firstIndex(of: overlay.insight.classLevel)! + 2) % Level.allCases.count]
            overlay.insight.classCursor = 0
            overlay.insight.classScroll = 0
        case .down, .char("j"): overlay.insight.classCursor += 1
        case .up, .char("k"): overlay.insight.classCursor -= 1
        case .pageDown, .ctrl("f"), .ctrl("d"): overlay.insight.classCursor += page
        case .pageUp, .ctrl("b"), .ctrl("u"): overlay.insight.classCursor -= page
        case .home, .char("g"): overlay.insight.classCursor = 0
        case .end, .char("G"): overlay.insight.classCursor = rows.count - 1
        case .char("H"):
            overlay.insight.view = .heatMap
            overlay.insight.heatRow = min(max(0, overlay.insight.classCursor), max(0, rows.count - 1))
            overlay.insight.heatColumn = overlay.insight.heatRow
        case .enter:
            guard rows.indices.contains(overlay.insight.classCursor) else { return [] }
            return filterToClass(rows[overlay.insight.classCursor].name, level: overlay.insight.classLevel)
        default: break
        }
        overlay.insight.classCursor = min(max(0, overlay.insight.classCursor), max(0, rows.count - 1))
        if overlay.insight.classCursor < overlay.insight.classScroll { overlay.insight.classScroll = overlay.insight.classCursor }
        if overlay.insight.classCursor >= overlay.insight.classScroll + page { overlay.insight.classScroll = overlay.insight.classCursor - page + 1 }
        return []
    }

    mutating func handleHeatKey(_ key: Key) -> [ExplorerEffect] {
        let count = min(overlay.insight.classRows.count, InsightRenderer.heatClasses(size))
        switch key {
        case .escape, .char("H"): overlay.insight.view = .classes
        case .char("C"), .char("q"): overlay.insight.view = nil
        case .char("?"): overlay.helpVisible = true
        case .down, .char("j"): overlay.insight.heatRow += 1
        case .up, .char("k"): overlay.insight.heatRow -= 1
        case .right, .char("l"): overlay.insight.heatColumn += 1
        case .left, .char("h"): overlay.insight.heatColumn -= 1
        case .tab:
            overlay.insight.classLevel = Level.allCases[(Level.allCases.firstIndex(of: overlay.insight.classLevel)! + 1) % Level.allCases.count]
            overlay.insight.heatRow = 0
            overlay.insight.heatColumn = 0
        case .enter:
            let rows = overlay.insight.classRows
            guard rows.indices.contains(overlay.insight.heatRow) else { return [] }
            return filterToClass(rows[overlay.insight.heatRow].name, level: overlay.insight.classLevel)
        default: break
        }
        overlay.insight.heatRow = min(max(0, overlay.insight.heatRow), max(0, count - 1))
        overlay.insight.heatColumn = min(max(0, overlay.insight.heatColumn), max(0, count - 1))
        return []
    }

    /// Closes the insight view and filters the scene list to scenes annotated with `name` at `level`.
    mutating func filterToClass(_ name: String, level: Level) -> [ExplorerEffect] {
        let field = level == .global ? "action" : level.rawValue
        list.filter = SceneFilter("\(field):\"\(name)\"")
        overlay.insight.view = nil
        list.mode = .scenes
        sceneView.focus = .list
        list.sceneCursor = 0
        list.scroll = 0
        applyFilterAndSort()
        say("\(list.visible.count) of \(list.scenes.count) scenes with \(field) \(name)")
        return loadCursorScene()
    }

    mutating func handleInsightResult(_ result: InsightResult) -> [ExplorerEffect] {
        switch result {
        case .classReport(let outcome):
            overlay.insight.loadingReport = false
            switch outcome {
            case .success(let report):
                overlay.insight.report = report
                overlay.insight.reportProblem = nil
                if overlay.insight.view == .classes { say("class report over \(report.scenes) scenes (Tab: level, Enter: filter, H: heat map)") }
            case .failure(let error):
                overlay.insight.reportProblem = error.description
            }
            return []
        case .map(let level, let outcome):
            return mapLoaded(level: level, outcome)
        case .disagreements(let level, let outcome):
            guard overlay.insight.map.points?.level == level else { return [] }
            switch outcome {
            case .success(let flags): overlay.insight.map.disagreements = flags
            case .failure(let error): sayError(error.description)
            }
            return []
        }
    }
}
