import SceneWorkspace
import ScenarioModel

/// State of the embedding map view: the points, a cursor cell, an optional rectangle anchor and the colouring.
public struct EmbeddingMapState: Sendable {
    public var level: Level = .global
    public var points: EmbeddingMapPoints?
    public var loading = false
    public var problem: String?
    /// Cursor cell, relative to the canvas.
    public var cursorColumn = 0
    public var cursorRow = 0
    /// The other corner of the selection rectangle (relative to the canvas), or `nil` for the cursor cell alone.
    public var anchor: (column: Int, row: Int)?
    public var colouring: MapColouring = .label
    /// Whether the model's best class differs from each point's annotation (loaded on first use).
    public var disagreements: [Bool]?

    public init() {}

    /// The selected cells: the rectangle between anchor and cursor, or the cursor cell.
    public var selection: CellRect {
        let a = anchor ?? (cursorColumn, cursorRow)
        return CellRect(x: min(a.column, cursorColumn), y: min(a.row, cursorRow),
                        width: abs(a.column - cursorColumn) + 1, height: abs(a.row - cursorRow) + 1)
    }
}

extension ExplorerState {
    mutating func openEmbeddingMap(level: Level) -> [ExplorerEffect] {
        overlay.insight.view = .map
        if overlay.insight.map.points?.level == level || overlay.insight.map.loading && overlay.insight.map.level == level { return [] }
        overlay.insight.map.level = level
        overlay.insight.map.points = nil
        overlay.insight.map.disagreements = nil
        overlay.insight.map.problem = nil
        overlay.insight.map.loading = true
        let geometry = EmbeddingMapGeometry(size: size)
        overlay.insight.map.cursorColumn = geometry.canvas.width / 2
        overlay.insight.map.cursorRow = geometry.canvas.height / 2
        overlay.insight.map.anchor = nil
        say("opening the \(level.rawValue) map (computed once per model and level, then cached)…")
        return [.loadInsight(.map(level)), .loadAllMarks]
    }

    mutating func mapLoaded(level: Level, _ outcome: Result<EmbeddingMapPoints, ExplorerError>) -> [ExplorerEffect] {
        guard overlay.insight.map.level == level else { return [] }
        overlay.insight.map.loading = false
        switch outcome {
        case .success(let points):
            overlay.insight.map.points = points
            overlay.insight.map.problem = nil
            if overlay.insight.view == .map {
                say("\(points.count) \(level.rawValue) points \(points.computed ? "mapped and cached" : "from the cache") · arrows move, v rectangle, Enter lists")
            }
            if overlay.insight.map.colouring == .disagreement { return [.loadInsight(.disagreements(points))] }
        case .failure(let error):
            overlay.insight.map.problem = error.description
        }
        return []
    }

    /// Indices of the points whose dot falls in the selected cells.
    public func mapSelection() -> [Int] {
        guard let points = overlay.insight.map.points else { return [] }
        let selection = overlay.insight.map.selection
        return EmbeddingMapGeometry(size: size).dots(points).enumerated().compactMap { i, dot in
            guard let (x, y) = dot, selection.contains(column: x / 2, row: y / 4) else { return nil }
            return i
        }
    }

    mutating func handleMapKey(_ key: Key) -> [ExplorerEffect] {
        let canvas = EmbeddingMapGeometry(size: size).canvas
        var dx = 0, dy = 0
        switch key {
        case .escape:
            if overlay.insight.map.anchor != nil { overlay.insight.map.anchor = nil } else { overlay.insight.view = nil }
        case .char("V"), .char("q"): overlay.insight.view = nil
        case .char("?"): overlay.helpVisible = true
        case .left, .char("h"): dx = -1
        case .right, .char("l"): dx = 1
        case .up, .char("k"): dy = -1
        case .down, .char("j"): dy = 1
        case .char("H"): dx = -8
        case .char("L"): dx = 8
        case .char("K"): dy = -4
        case .char("J"): dy = 4
        case .char("v"), .char(" "):
            overlay.insight.map.anchor = overlay.insight.map.anchor == nil ? (overlay.insight.map.cursorColumn, overlay.insight.map.cursorRow) : nil
        case .tab:
            overlay.insight.map.colouring = overlay.insight.map.colouring.next
            say("colour by \(overlay.insight.map.colouring.rawValue)")
            if overlay.insight.map.colouring == .disagreement, overlay.insight.map.disagreements == nil, let points = overlay.insight.map.points {
                return [.loadInsight(.disagreements(points))]
            }
        case .char("1"): return openEmbeddingMap(level: .global)
        case .char("2"): return openEmbeddingMap(level: .object)
        case .char("3"): return openEmbeddingMap(level: .relation)
        case .enter: return listMapSelection()
        default: break
        }
        overlay.insight.map.cursorColumn = min(max(0, overlay.insight.map.cursorColumn + dx), max(0, canvas.width - 1))
        overlay.insight.map.cursorRow = min(max(0, overlay.insight.map.cursorRow + dy), max(0, canvas.height - 1))
        return []
    }

    /// Lists the selected points in the results pane (nearest the selection's centre first) and closes the map.
    mutating func listMapSelection() -> [ExplorerEffect] {
        guard let points = overlay.insight.map.points else { return [] }
        let chosen = mapSelection()
        guard !chosen.isEmpty else {
            say("no points under the cursor (v starts a rectangle)")
            return []
        }
        let level = points.level
        list.results = chosen.map { i in
            let label = points.labels[i] >= 0 ? points.classNames[Int(points.labels[i])] : ""
            return WorkspaceHit(sceneID: points.sceneIDs[i], level: level, index: level == .global ? 0 : points.itemIndices[i], label: label, region: nil, score: 1)
        }
        list.resultsTitle = "map selection (\(list.results.count) \(level.rawValue) items)"
        query.text = list.resultsTitle
        list.mode = .results
        list.resultCursor = 0
        list.scroll = 0
        sceneView.focus = .list
        overlay.insight.view = nil
        query.generation += 1
        query.inFlight = false
        say("\(list.results.count) items from the map; Esc returns to the scene list, V to the map")
        return showHit(list.results[0])
    }
}
