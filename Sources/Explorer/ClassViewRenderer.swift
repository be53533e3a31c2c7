import Foundation
import ScenarioModel
import SceneWorkspace

/// Draws the insight views over the explorer's body: the class table, the confusion heat map and the embedding
/// map (``EmbeddingMapRenderer``). Reads the state only.
enum InsightRenderer {
    static func draw(_ grid: inout CellGrid, _ state: ExplorerState, _ layout: ExplorerLayout) {
        let body = CellRect(x: 0, y: 1, width: state.size.columns, height: max(0, state.size.rows - 3))
        grid.fill(body, style: state.theme[.normal])
        switch state.overlay.insight.view {
        case .classes?: ClassViewRenderer.drawTable(&grid, state, body)
        case .heatMap?: ClassViewRenderer.drawHeatMap(&grid, state, body)
        case .map?: EmbeddingMapRenderer.draw(&grid, state)
        case nil: return
        }
        let hints: String
        switch state.overlay.insight.view {
        case .classes?: hints = " ↑↓:class  Tab:level  Enter:filter scenes  H:heat map  Esc/C:close  ?:help"
        case .heatMap?: hints = " ↑↓←→:cell  Tab:level  Enter:filter to the row's class  Esc/H:table  C:close"
        default: hints = " ←→↑↓ hjkl (HJKL ×8):move  v:rectangle  Tab:colour  1 2 3:level  Enter:list scenes  Esc/V:close"
        }
        grid.fill(layout.statusLine, style: state.theme[.status])
        grid.put(hints, column: 0, row: layout.statusLine.y, style: state.theme[.status], limit: state.size.columns)
    }

    /// Classes the heat map shows at a terminal size: one row each, two columns each.
    static func heatClasses(_ size: GridSize) -> Int {
        max(1, min(size.rows - 3 - 6, (size.columns - ClassViewRenderer.heatLabelWidth - 2) / 2))
    }

    /// `true` when the theme uses only the terminal's default colours (the mono theme): shading alone must carry
    /// the values.
    static func isMonochrome(_ theme: Theme) -> Bool {
        theme.styles.values.allSatisfy { $0.foreground == .terminalDefault && $0.background == .terminalDefault }
    }
}

/// The class table and the confusion heat map of the class report.
enum ClassViewRenderer {
    static let heatLabelWidth = 24

    /// Heading with the level tabs, or the report's loading state. Returns the level report when there is one.
    static func heading(_ grid: inout CellGrid, _ state: ExplorerState, _ body: CellRect, what: String) -> LevelClassReport? {
        let theme = state.theme
        var x = grid.put(" \(what) · ", column: body.x, row: body.y, style: theme[.heading])
        for level in Level.allCases {
            let style = level == state.overlay.insight.classLevel ? theme[.selection] : theme[.dim]
            x = grid.put(" \(level.task) ", column: x, row: body.y, style: style)
        }
        guard let report = state.overlay.insight.report, let level = report.level(state.overlay.insight.classLevel) else {
            let text = state.overlay.insight.reportProblem ?? (state.overlay.insight.loadingReport ? "ranking every item…" : "no report")
            grid.put(text, column: body.x + 1, row: body.y + 2, style: theme[state.overlay.insight.reportProblem == nil ? .dim : .error],
                     limit: body.width - 2)
            return nil
        }
        let summary = String(format: "  %d items · own label top-1 %.1f%% top-5 %.1f%% · split %@",
                             level.evaluated, percent(level.top1, level.evaluated), percent(level.top5, level.evaluated), report.split)
        grid.put(summary, column: x, row: body.y, style: theme[.dim], limit: max(0, body.maxX - x))
        return level
    }

    static func percent(_ part: Int, _ whole: Int) -> Double { whole > 0 ? Double(part) * 100 / Double(whole) : 0 }

    static func drawTable(_ grid: inout CellGrid, _ state: ExplorerState, _ body: CellRect) {
        let theme = state.theme
        guard let level = heading(&grid, state, body, what: "Classes") else { return }
        let rows = state.overlay.insight.classRows
        let nameWidth = min(max(12, rows.map(\.name.count).max() ?? 0), max(12, body.width / 3))
        let header = pad(level.task, nameWidth) + "  train   val  test  ranked  top-1  top-5  out-5  most confused with"
        grid.put(" " + header, column: body.x, row: body.y + 1, style: theme[.heading], limit: body.width)
        let visibleRows = max(0, body.height - 4)
        for i in 0..<visibleRows {
            let index = state.overlay.insight.classScroll + i
            guard index < rows.count else { break }
            let c = rows[index]
            let row = body.y + 2 + i
            let selected = index == state.overlay.insight.classCursor
            let style = selected ? theme[.selection] : theme[.normal]
            if selected { grid.fill(CellRect(x: body.x, y: row, width: body.width, height: 1), style: style) }
            var line = pad(String(c.name.prefix(nameWidth)), nameWidth)
            line += String(format: "  %5d %5d %5d  %6d", c.counts["train"] ?? 0, c.counts["val"] ?? 0, c.counts["test"] ?? 0, c.evaluated)
            line += c.evaluated > 0
                ? String(format: "  %4.0f%%  %4.0f%%  %5d", c.top1Accuracy * 100, c.top5Accuracy * 100, c.outsideTop5)
                : "      —      —      —"
            var x = grid.put(" " + line, column: body.x, row: row, style: style, limit: body.width)
            if let other = c.mostConfusedWith {
                x = grid.put("  \(other) ×\(c.mostConfusedCount)", column: x, row: row, style: selected ? style : theme[.disagree],
                             limit: max(0, body.maxX - x))
            }
            var flags: [String] = []
            if c.rare { flags.append("rare") }
            if (c.counts["test"] ?? 0) == 0 { flags.append("not in test") }
            if !flags.isEmpty {
                grid.put("  [" + flags.joined(separator: ", ") + "]", column: x, row: row, style: selected ? style : theme[.hint],
                         limit: max(0, body.maxX - x))
            }
        }
        var notes: [String] = []
        if !level.rare.isEmpty { notes.append("\(level.rare.count) rare") }
        if !level.neverInTest.isEmpty { notes.append("\(level.neverInTest.count) never in test") }
        if !level.unused.isEmpty { notes.append("\(level.unused.count) listed but unused") }
        if level.notIndexed > 0 { notes.append("\(level.notIndexed) items not indexed") }
        let footer = " \(rows.count) classes" + (notes.isEmpty ? "" : " · " + notes.joined(separator: " · "))
        grid.put(footer, column: body.x, row: body.maxY - 1, style: theme[.dim], limit: body.width)
    }

    /// Shading of a confusion value (a fraction of the row's items): readable without colour.
    static func shade(_ value: Double) -> String {
        switch value {
        case ..<0.000001: return " ·"
        case ..<0.1: return "░░"
        case ..<0.3: return "▒▒"
        case ..<0.6: return "▓▓"
        default: return "██"
        }
    }

    /// A colour from cool to hot for `value` in 0…1 (used on colour themes, over the shading).
    static func heatColour(_ value: Double) -> CellColor {
        let v = min(1, max(0, value))
        let r = UInt8(60 + 195 * v), g = UInt8(90 + 120 * (1 - abs(v - 0.5) * 2)), b = UInt8(200 * (1 - v) + 30)
        return .rgb(r, g, b)
    }

    static func drawHeatMap(_ grid: inout CellGrid, _ state: ExplorerState, _ body: CellRect) {
        let theme = state.theme
        guard let level = heading(&grid, state, body, what: "Confusions") else { return }
        let rows = state.overlay.insight.classRows
        let n = min(rows.count, InsightRenderer.heatClasses(state.size))
        guard n > 0 else { return }
        let mono = InsightRenderer.isMonochrome(theme)
        var cells: [String: Int] = [:]
        for cell in level.confusions { cells[cell.annotated + "\u{0}" + cell.predicted] = cell.count }
        func value(_ r: Int, _ c: Int) -> (count: Int, fraction: Double) {
            let annotated = rows[r]
            let count = r == c ? annotated.top1 : cells[annotated.name + "\u{0}" + rows[c].name] ?? 0
            return (count, annotated.evaluated > 0 ? Double(count) / Double(annotated.evaluated) : 0)
        }
        let left = body.x + heatLabelWidth + 1
        // Column numbers, tens above units.
        for c in 0..<n {
            let number = c + 1
            if number >= 10 { grid.put(String(number / 10 % 10), column: left + 2 * c + 1, row: body.y + 1, style: theme[.dim]) }
            grid.put(String(number % 10), column: left + 2 * c + 1, row: body.y + 2, style: theme[.dim])
        }
        grid.put("annotated ↓  model's top-1 →", column: body.x + 1, row: body.y + 2, style: theme[.dim], limit: heatLabelWidth)
        for r in 0..<n {
            let row = body.y + 3 + r
            let label = String(format: "%2d ", r + 1) + rows[r].name
            let selectedRow = r == state.overlay.insight.heatRow
            grid.put(pad(String(label.prefix(heatLabelWidth - 1)), heatLabelWidth - 1), column: body.x + 1, row: row,
                     style: selectedRow ? theme[.heading] : theme[.normal])
            for c in 0..<n {
                let (_, fraction) = value(r, c)
                var style = theme[.normal]
                if !mono && fraction > 0 { style.foreground = heatColour(fraction) }
                if r == c { style.bold = true }
                if selectedRow && c == state.overlay.insight.heatColumn { style.reverse.toggle() }
                grid.put(shade(fraction), column: left + 2 * c, row: row, style: style)
            }
        }
        let infoRow = body.y + 4 + n
        let r = min(state.overlay.insight.heatRow, n - 1), c = min(state.overlay.insight.heatColumn, n - 1)
        let (count, fraction) = value(r, c)
        let verb = r == c ? "ranked first correctly" : "ranked \(rows[c].name) first"
        grid.put(String(format: " %@ → %@: %d of %d items %@ (%.0f%%)", rows[r].name, rows[c].name, count, rows[r].evaluated, verb,
                        fraction * 100), column: body.x, row: infoRow, style: theme[.label], limit: body.width)
        grid.put(" shading: · none  ░ <10%  ▒ 10–30%  ▓ 30–60%  █ ≥60% of the row's items; diagonal bold"
                    + (rows.count > n ? "; \(n) of \(rows.count) classes (most annotated)" : ""),
                 column: body.x, row: infoRow + 1, style: theme[.dim], limit: body.width)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
