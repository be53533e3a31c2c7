import EmbeddingCache
import Foundation
import ScenarioModel

/// Draws the embedding map: points as braille dots (2 × 4 per cell), each cell coloured by the most common
/// group of its points (class, split, mark or disagreement), the cursor or rectangle reversed, and a pane with
/// the legend and the points selected.
enum EmbeddingMapRenderer {
    /// Distinct colours for groups (the last one for "other").
    static let palette: [CellColor] = [
        .rgb(230, 80, 80), .rgb(80, 170, 240), .rgb(120, 210, 90), .rgb(240, 190, 60), .rgb(190, 110, 230),
        .rgb(60, 210, 200), .rgb(250, 140, 40), .rgb(240, 120, 190), .rgb(150, 150, 150),
    ]

    /// Group of every point under `colouring`, and the groups' names (index = group).
    static func groups(_ state: ExplorerState, _ points: EmbeddingMapPoints) -> (of: [Int], names: [String]) {
        switch state.overlay.insight.map.colouring {
        case .label:
            var frequency: [Int32: Int] = [:]
            for label in points.labels { frequency[label, default: 0] += 1 }
            let top = frequency.filter { $0.key >= 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(palette.count - 1).map(\.key)
            let slot = Dictionary(uniqueKeysWithValues: top.enumerated().map { ($1, $0) })
            return (points.labels.map { slot[$0] ?? top.count }, top.map { points.classNames[Int($0)] } + ["other"])
        case .split:
            return (points.splits.map { Int(min($0, 2)) }, ["train", "val", "test"])
        case .mark:
            var verdicts: [String: AnnotationMark.Verdict] = [:]
            for mark in state.marks.all {
                switch (points.level, mark.target) {
                case (.global, .scene): verdicts[mark.sceneID + "#0"] = mark.verdict
                case (.object, .object(let i)), (.relation, .relation(let i)): verdicts["\(mark.sceneID)#\(i)"] = mark.verdict
                default: break
                }
            }
            return ((0..<points.count).map { i in
                switch verdicts["\(points.sceneIDs[i])#\(points.itemIndices[i])"] {
                case .correct?: 0
                case .wrong?: 1
                case .unsure?: 2
                case nil: 3
                }
            }, ["correct", "wrong", "unsure", "not marked"])
        case .disagreement:
            guard let flags = state.overlay.insight.map.disagreements, flags.count == points.count else {
                return ([Int](repeating: 2, count: points.count), ["agrees", "disagrees", "ranking…"])
            }
            return (flags.map { $0 ? 1 : 0 }, ["agrees", "disagrees", "unknown"])
        }
    }

    /// Colour of a group: the palette for classes and splits; marks and disagreements use the theme's roles.
    static func style(group: Int, names: Int, _ state: ExplorerState) -> CellStyle {
        let theme = state.theme
        var style = theme[.normal]
        if InsightRenderer.isMonochrome(theme) {
            // Without colour the groups that call for attention are bold.
            switch state.overlay.insight.map.colouring {
            case .mark: style.bold = group == 1
            case .disagreement: style.bold = group == 1
            default: break
            }
            return style
        }
        switch state.overlay.insight.map.colouring {
        case .label, .split: style.foreground = group == names - 1 && state.overlay.insight.map.colouring == .label ? palette.last! : palette[group % palette.count]
        case .mark: style = theme[[ThemeRole.markCorrect, .markWrong, .markUnsure, .dim][min(group, 3)]]
        case .disagreement: style = theme[[ThemeRole.agree, .disagree, .dim][min(group, 2)]]
        }
        return style
    }

    static func draw(_ grid: inout CellGrid, _ state: ExplorerState) {
        let theme = state.theme
        let geometry = EmbeddingMapGeometry(size: state.size)
        let canvas = geometry.canvas, pane = geometry.pane
        for row in canvas.y..<canvas.maxY { grid.put("│", column: canvas.maxX, row: row, style: theme[.border]) }
        var writer = PaneWriter(rect: pane)
        writer.line(&grid, [("Map · \(state.overlay.insight.map.level.rawValue)", theme[.heading])])
        guard let points = state.overlay.insight.map.points else {
            let text = state.overlay.insight.map.problem ?? "computing the map… (once per model and level)"
            writer.wrapped(&grid, text, style: theme[state.overlay.insight.map.problem == nil ? .dim : .error], maxLines: 6)
            drawCursor(&grid, state, canvas)
            return
        }
        let (groupOf, names) = groups(state, points)
        // Dots and group counts per cell.
        let columns = canvas.width, rows = canvas.height
        var bits = [UInt8](repeating: 0, count: columns * rows)
        var counts = [Int](repeating: 0, count: columns * rows * names.count)
        var groupTotals = [Int](repeating: 0, count: names.count)
        let dots = geometry.dots(points)
        let bitOf: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        for (i, dot) in dots.enumerated() {
            guard let (x, y) = dot else { continue }
            let cell = (y / 4) * columns + x / 2
            bits[cell] |= bitOf[x % 2][y % 4]
            let g = min(max(0, groupOf[i]), names.count - 1)
            counts[cell * names.count + g] += 1
            groupTotals[g] += 1
        }
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = row * columns + column
                guard bits[cell] != 0 else { continue }
                var best = 0
                for g in 1..<names.count where counts[cell * names.count + g] > counts[cell * names.count + best] { best = g }
                let glyph = String(UnicodeScalar(0x2800 + UInt32(bits[cell]))!)
                grid.put(glyph, column: canvas.x + column, row: canvas.y + row, style: style(group: best, names: names.count, state))
            }
        }
        drawCursor(&grid, state, canvas)
        // Pane: legend, then the selection.
        writer.line(&grid, [("\(points.count) points · colour: \(state.overlay.insight.map.colouring.rawValue) (Tab)", theme[.dim])])
        writer.blank()
        for (g, name) in names.enumerated() where groupTotals[g] > 0 || state.overlay.insight.map.colouring != .label {
            writer.line(&grid, [("● ", style(group: g, names: names.count, state)), ("\(name) ", theme[.normal]), ("\(groupTotals[g])", theme[.score])])
        }
        writer.blank()
        let selected = state.mapSelection()
        writer.line(&grid, [("Under the \(state.overlay.insight.map.anchor == nil ? "cursor" : "rectangle"): \(selected.count)", theme[.heading])])
        for i in selected.prefix(max(0, pane.maxY - writer.row)) {
            let label = points.labels[i] >= 0 ? points.classNames[Int(points.labels[i])] : "?"
            let item = points.level == .global ? "" : " #\(points.itemIndices[i])"
            writer.line(&grid, [("\(points.sceneIDs[i])\(item) ", theme[.label]), (label, theme[.normal])])
        }
    }

    static func drawCursor(_ grid: inout CellGrid, _ state: ExplorerState, _ canvas: CellRect) {
        let selection = state.overlay.insight.map.selection
        let rect = CellRect(x: canvas.x + selection.x, y: canvas.y + selection.y, width: selection.width, height: selection.height)
        grid.restyle(rect) { $0.reverse.toggle() }
        if rect.width == 1 && rect.height == 1 && grid[rect.x, rect.y].text == " " && canvas.contains(column: rect.x, row: rect.y) {
            var cell = grid[rect.x, rect.y]
            cell.text = "+"
            grid[rect.x, rect.y] = cell
        }
    }
}
