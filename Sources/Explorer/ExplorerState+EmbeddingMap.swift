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
        insight.view = .map
        if insight.map.points?.level == level || insight.map.loading && insight.map.level == level { return [] }
        insight.map.level = level
        insight.map.points = nil
        insight.map.disagreements = nil
        insight.map.problem = nil
        insight.map.loading = true
        let geometry = EmbeddingMapGeometry(size: size)
        insight.map.cursorColumn = geometry.canvas.width / 2
        insight.map.cursorRow = geometry.canvas.height / 2
        insight.map.anchor = nil
        say("opening the \(level.rawValue) map (computed once per model and level, then cached)…")
        return [.loadInsight(.map(level)), .loadAllMarks]
    }

    mutating func mapLoaded(level: Level, _ outcome: Result<EmbeddingMapPoints, ExplorerError>) -> [ExplorerEffect] {
        guard insight.map.level == level else { return [] }
        insight.map.loading = false
        switch outcome {
        case .success(let points):
            insight.map.points = points
            insight.map.problem = nil
            if insight.view == .map {
                say("\(points.count) \(level.rawValue) points \(points.computed ? "mapped and cached" : "from the cache") · arrows move, v rectangle, Enter lists")
            }
            if insight.map.colouring == .disagreement { return [.loadInsight(.disagreements(points))] }
        case .failure(let error):
            insight.map.problem = error.description
        }
        return []
    }

    /// Indices of the points whose dot falls in the selected cells.
    public func mapSelection() -> [Int] {
        guard let points = insight.map.points else { return [] }
        let selection = insight.map.selection
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
            if insight.map.anchor != nil { insight.map.anchor = nil } else { insight.view = nil }
        case .char("V"), .char("q"): insight.view = nil
        case .char("?"): helpVisible = true
        case .left, .char("h"): dx = -1
        case .right, .char("l"): dx = 1
        case .up, .char("k"): dy = -1
        case .down, .char("j"): dy = 1
        case .char("H"): dx = -8
        case .char("L"): dx = 8
        case .char("K"): dy = -4
        case .char("J"): dy = 4
        case .char("v"), .char(" "):
            insight.map.anchor = insight.map.anchor == nil ? (insight.map.cursorColumn, insight.map.cursorRow) : nil
        case .tab:
            insight.map.colouring = insight.map.colouring.next
            say("colour by \(insight.map.colouring.rawValue)")
            if insight.map.colouring == .disagreement, insight.map.disagreements == nil, let points = insight.map.points {
                return [.loadInsight(.disagreements(points))]
            }
        case .char("1"): return openEmbeddingMap(level: .global)
        case .char("2"): return openEmbeddingMap(level: .object)
        case .char("3"): return openEmbeddingMap(level: .relation)
        case .enter: return listMapSelection()
        default: break
        }
        insight.map.cursorColumn = min(max(0, insight.map.cursorColumn + dx), max(0, canvas.width - 1))
        insight.map.cursorRow = min(max(0, insight.map.cursorRow + dy), max(0, canvas.height - 1))
        return []
    }

    /// Lists the selected points in the results pane (nearest the selection's centre first) and closes the map.
    mutating func listMapSelection() -> [ExplorerEffect] {
        guard let points = insight.map.points else { return [] }
        let chosen = mapSelection()
        guard !chosen.isEmpty else {
            say("no points under the cursor (v starts a rectangle)")
            return []
        }
        let level = points.level
        results = chosen.map { i in
            let label = points.labels[i] >= 0 ? points.classNames[Int(points.labels[i])] : ""
            return WorkspaceHit(sceneID: points.sceneIDs[i], level: level, index: level == .global ? 0 : points.itemIndices[i], label: label, region: nil, score: 1)
        }
        resultsTitle = "map selection (\(results.count) \(level.rawValue) items)"
        queryText = resultsTitle
        listMode = .results
        resultCursor = 0
        listScroll = 0
        focus = .list
        insight.view = nil
        searchGeneration += 1
        searchInFlight = false
        say("\(results.count) items from the map; Esc returns to the scene list, V to the map")
        return showHit(results[0])
    }
}
