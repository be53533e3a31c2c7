import EmbeddingCache
import Foundation
import Imaging
import ScenarioModel
import SceneWorkspace

/// Draws the explorer: `render(state) → CellGrid`. Reads the state only.
public enum ExplorerRenderer {
    /// The frame for `state` at `state.size`.
    public static func render(_ state: ExplorerState) -> CellGrid {
        let theme = state.theme
        var grid = CellGrid(size: state.size, style: theme[.normal])
        guard !state.isTooSmall else {
            drawTooSmall(&grid, state)
            return grid
        }
        let layout = ExplorerLayout(size: state.size)
        drawTitle(&grid, state, layout.title)
        drawList(&grid, state, layout.list)
        for row in layout.list.y..<layout.list.maxY {
            grid.put("│", column: layout.separatorColumn, row: row, style: theme[.border])
        }
        drawPicture(&grid, state, layout.picture)
        if layout.info.x > layout.picture.maxX {
            for row in layout.info.y..<layout.info.maxY {
                grid.put("│", column: layout.info.x - 1, row: row, style: theme[.border])
            }
        }
        if state.sceneView.zeroShotVisible {
            drawZeroShot(&grid, state, layout.info)
        } else {
            drawInfo(&grid, state, layout.info)
        }
        drawInputLine(&grid, state, layout.inputLine)
        drawStatus(&grid, state, layout.statusLine)
        if state.overlay.insight.view != nil { InsightRenderer.draw(&grid, state, layout) }
        if state.overlay.helpVisible { drawHelp(&grid, state) }
        return grid
    }

    // MARK: Pieces

    static func drawTooSmall(_ grid: inout CellGrid, _ state: ExplorerState) {
        let need = ExplorerState.minimumSize
        let size = state.size
        // Each line in the longest wording that fits the width; the size needed first when rows are short.
        let wordings = [
            ["Terminal too small", "Too small"],
            ["\(size.columns)x\(size.rows), need at least \(need.columns)x\(need.rows)", "need at least \(need.columns)x\(need.rows)",
             "need \(need.columns)x\(need.rows)", "\(need.columns)x\(need.rows)"],
            ["q quits"],
        ]
        var lines = wordings.map { choices in
            choices.first { CellGrid.displayWidth(of: $0) <= size.columns } ?? choices.last!
        }
        if size.rows < lines.count { lines = Array([lines[1], lines[0], lines[2]].prefix(max(0, size.rows))) }
        let top = max(0, (state.size.rows - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let x = max(0, (state.size.columns - CellGrid.displayWidth(of: line)) / 2)
            grid.put(line, column: x, row: top + i, style: line.lowercased().contains("small") ? state.theme[.error] : state.theme[.normal])
        }
    }

    static func drawTitle(_ grid: inout CellGrid, _ state: ExplorerState, _ rect: CellRect) {
        let style = state.theme[.title]
        grid.fill(rect, style: style)
        var left = " ScenarioCLIP explorer · \(state.datasetName) · \(state.list.visible.count)/\(state.list.scenes.count) scenes"
        if !state.list.filter.isEmpty { left += " · filter: \(state.list.filter.text)" }
        left += " · sort: \(state.list.sort.title)"
        let status = state.backendStatus
        var right = status.model.map { "model: \($0)" } ?? "model unavailable"
        right += status.indexed ? " · indexed " : " · not indexed "
        let rightWidth = CellGrid.displayWidth(of: right)
        grid.put(left, column: rect.x, row: rect.y, style: style, limit: max(0, rect.width - rightWidth - 1))
        if rightWidth < rect.width / 2 { grid.put(right, column: rect.maxX - rightWidth, row: rect.y, style: style) }
    }

    static func drawList(_ grid: inout CellGrid, _ state: ExplorerState, _ rect: CellRect) {
        let theme = state.theme
        let focused = state.sceneView.focus == .list
        let heading: String
        let count: Int
        // Rows are built only for the visible window: lists can hold 100k scenes.
        let rowAt: (Int) -> (text: String, badge: String?, score: String?)
        switch state.list.mode {
        case .scenes:
            heading = "Scenes"
            count = state.list.visible.count
            rowAt = { i in
                let scene = state.list.scenes[state.list.visible[i]]
                return ("\(scene.id) \(scene.action)", nil, nil)
            }
        case .results:
            let scope = state.query.scope.rawValue
            if state.list.resultsTitle.hasPrefix("more like") {
                heading = state.list.resultsTitle
            } else {
                heading = state.query.text.isEmpty ? "Query [\(scope)]" : "“\(state.query.text)” [\(scope)]"
            }
            count = state.list.results.count
            rowAt = { i in
                let hit = state.list.results[i]
                let what = hit.level == .global ? hit.label : "\(hit.level == .object ? "obj" : "rel") \(hit.label)"
                return ("\(hit.sceneID) \(what)", nil, String(format: "%.3f", hit.score))
            }
        case .marks:
            heading = "Marks (\(state.marks.all.count))"
            count = state.marks.all.count
            rowAt = { i in
                let mark = state.marks.all[i]
                let note = mark.note.isEmpty ? "" : " “\(mark.note)”"
                return ("\(mark.sceneID) \(mark.target)\(note)", mark.verdict.badge, nil)
            }
        case .duplicates:
            let rows = state.list.duplicateRows
            heading = "Duplicates (\(Set(rows.map(\.group)).count) groups, \(Set(rows.filter(\.leak).map(\.group)).count) leaks)"
            count = rows.count
            rowAt = { i in
                let row = rows[i]
                let opening = i == 0 || rows[i - 1].group != row.group
                let label = opening
                    ? String(format: "%@ %.3f", row.kind == .exact ? "exact" : "near ", row.similarity) : "           "
                // ● the member the group keeps, ○ the others.
                let text = "\(label) \(row.isKept ? "●" : "○") \(row.sceneID) \(row.split)\(row.leak ? " LEAK" : "")"
                return (text, nil, nil)
            }
        case .review:
            heading = "Review queue (\(state.marks.reviewIDs.count))"
            count = state.marks.reviewIDs.count
            rowAt = { i in
                let id = state.marks.reviewIDs[i]
                return (id + " " + (state.scene(id: id)?.action ?? ""), nil, nil)
            }
        }
        grid.put(heading, column: rect.x + 1, row: rect.y, style: theme[.heading], limit: rect.width - 1)
        let cursor = state.activeListCursor
        let visibleRows = max(0, rect.height - 1)
        if count == 0 {
            let empty: String
            switch state.list.mode {
            case .results:
                if let problem = state.query.lastProblem { empty = problem }
                else if state.query.inFlight { empty = "searching…" }
                else { empty = state.query.text.isEmpty ? "type to search" : "no results" }
            case .scenes: empty = state.list.scenes.isEmpty ? "no scenes" : "no scene matches the filter"
            case .marks: empty = "no marks yet (c/x/u to mark)"
            case .review: empty = "nothing to review"
            case .duplicates: empty = "no duplicate groups"
            }
            grid.put(empty, column: rect.x + 1, row: rect.y + 1, style: theme[.dim], limit: rect.width - 1)
            return
        }
        for i in 0..<visibleRows {
            let index = state.list.scroll + i
            guard index < count else { break }
            let item = rowAt(index)
            let row = rect.y + 1 + i
            let selected = index == cursor
            let style = selected ? theme[focused ? .selection : .selectionInactive] : theme[.normal]
            grid.fill(CellRect(x: rect.x, y: row, width: rect.width, height: 1), style: style)
            var x = rect.x + 1
            if let score = item.score {
                x = grid.put(score + " ", column: x, row: row, style: selected ? style : theme[.score], limit: rect.maxX - x)
            }
            if let badge = item.badge {
                x = grid.put(badge + " ", column: x, row: row, style: style, limit: rect.maxX - x)
            }
            grid.put(item.text, column: x, row: row, style: style, limit: rect.maxX - x)
        }
    }

    static func drawPicture(_ grid: inout CellGrid, _ state: ExplorerState, _ area: CellRect) {
        let theme = state.theme
        guard let detail = state.sceneView.detail else {
            grid.put("no scene", column: area.x + 1, row: area.y, style: theme[.dim], limit: area.width - 1)
            return
        }
        guard let geometry = PictureGeometry(area: area, imageWidth: detail.imageWidth, imageHeight: detail.imageHeight, cellAspect: state.sceneView.cellAspect)
        else { return }
        let frame = geometry.frame
        if let pixels = state.sceneView.pixelPicture, pixels.sceneID == detail.id, pixels.frame == frame,
            pixels.boxes == pictureBoxes(state, detail)
        {
            // The terminal draws the pixels (boxes included) over these blank cells after the text.
            grid.fill(frame, style: theme[.normal])
            return
        }
        if let picture = state.sceneView.picture, picture.sceneID == detail.id, picture.size == GridSize(columns: frame.width, rows: frame.height) {
            for row in 0..<frame.height {
                for column in 0..<frame.width {
                    grid[frame.x + column, frame.y + row] = picture.cells[row * frame.width + column]
                }
            }
        } else {
            grid.fill(frame, style: theme[.dim], text: "·")
            if let problem = state.sceneView.pictureProblem {
                grid.put(problem, column: frame.x, row: frame.y + frame.height / 2, style: theme[.error], limit: frame.width)
            }
        }
        for box in pictureBoxes(state, detail) {
            drawBox(&grid, geometry.cells(for: box.box), label: box.label, style: theme[box.role])
        }
    }

    /// The boxes over the scene's picture, in drawing order (later ones on top): a selected relation's region,
    /// the objects, the selected object(s) highlighted, then the query hit's region.
    public static func pictureBoxes(_ state: ExplorerState, _ detail: SceneDetail) -> [PictureBox] {
        var selected = Set<Int>()
        switch state.sceneView.focus {
        case .objects where detail.objects.indices.contains(state.sceneView.objectCursor): selected.insert(state.sceneView.objectCursor)
        case .relations where detail.relations.indices.contains(state.sceneView.relationCursor):
            let relation = detail.relations[state.sceneView.relationCursor]
            if let s = relation.subjectIndex { selected.insert(s) }
            if let o = relation.objectIndex { selected.insert(o) }
        default: break
        }
        var boxes: [PictureBox] = []
        if state.sceneView.focus == .relations, detail.relations.indices.contains(state.sceneView.relationCursor),
            let region = detail.relations[state.sceneView.relationCursor].region
        {
            boxes.append(PictureBox(box: region, label: "region", role: .hint))
        }
        for (i, object) in detail.objects.enumerated() where !selected.contains(i) {
            boxes.append(PictureBox(box: object.box, label: object.name, role: .box))
        }
        for i in selected.sorted() {
            boxes.append(PictureBox(box: detail.objects[i].box, label: detail.objects[i].name, role: .boxSelected))
        }
        if let hit = state.sceneView.hitRegion {
            boxes.append(PictureBox(box: hit, label: "hit", role: .boxHit))
        }
        if let edit = state.marks.boxEdit {
            // The box being edited replaces the object's own, drawn on top in the hit style.
            if let index = edit.objectIndex { boxes.removeAll { $0.box == detail.objects[index].box && $0.label == detail.objects[index].name } }
            let label = edit.objectIndex.map { detail.objects.indices.contains($0) ? detail.objects[$0].name : "box" } ?? "new"
            boxes.append(PictureBox(box: edit.box, label: label, role: .boxHit))
        }
        return boxes
    }

    /// Draws a box outline with its label on the top edge, keeping the picture's background colour.
    static func drawBox(_ grid: inout CellGrid, _ r: CellRect, label: String, style: CellStyle) {
        func set(_ column: Int, _ row: Int, _ text: String) {
            guard column >= 0, row >= 0, column < grid.size.columns, row < grid.size.rows else { return }
            var cellStyle = style
            if style.background == .terminalDefault { cellStyle.background = grid[column, row].style.background }
            grid[column, row] = Cell(text, style: cellStyle)
        }
        let x2 = r.maxX - 1, y2 = r.maxY - 1
        if r.width == 1 {
            for y in r.y...y2 { set(r.x, y, "│") }
        } else if r.height == 1 {
            for x in r.x...x2 { set(x, r.y, "─") }
        } else {
            for x in r.x...x2 {
                set(x, r.y, "─")
                set(x, y2, "─")
            }
            for y in r.y...y2 {
                set(r.x, y, "│")
                set(x2, y, "│")
            }
            set(r.x, r.y, "┌"); set(x2, r.y, "┐"); set(r.x, y2, "└"); set(x2, y2, "┘")
        }
        var x = r.width > 2 ? r.x + 1 : r.x
        let end = max(x + 1, r.width > 2 ? x2 : r.maxX)
        for character in label {
            guard x < end, CellGrid.displayWidth(of: character) == 1 else { break }
            set(x, r.y, String(character))
            x += 1
        }
    }

    static func markBadge(_ state: ExplorerState, _ target: AnnotationMark.Target) -> (String, CellStyle)? {
        guard let mark = state.marks.ofScene[target] else { return nil }
        let role: ThemeRole
        switch mark.verdict {
        case .correct: role = .markCorrect
        case .wrong: role = .markWrong
        case .unsure: role = .markUnsure
        }
        return (mark.verdict.badge, state.theme[role])
    }

    static func drawInfo(_ grid: inout CellGrid, _ state: ExplorerState, _ rect: CellRect) {
        let theme = state.theme
        guard let detail = state.sceneView.detail, !rect.isEmpty else { return }
        var writer = PaneWriter(rect: rect)
        var header = [(detail.id, theme[.heading])]
        if let (badge, style) = markBadge(state, .scene) { header.append((" scene " + badge, style)) }
        if detail.corrections > 0 {
            header.append((" · \(detail.corrections) correction\(detail.corrections == 1 ? "" : "s")", theme[.dim]))
        }
        writer.line(&grid, header)
        if let note = state.marks.ofScene[.scene]?.note, !note.isEmpty { writer.line(&grid, [("note: " + note, theme[.dim])]) }
        writer.wrapped(&grid, "Action: " + detail.action, style: theme[.label])
        if let caption = detail.denseCaption, !caption.isEmpty {
            writer.wrapped(&grid, caption, style: theme[.caption], maxLines: 4)
        }
        if !detail.tags.isEmpty { writer.line(&grid, [("tags: " + detail.tags.joined(separator: ", "), theme[.dim])]) }
        writer.blank()
        writer.line(&grid, [("Objects (\(detail.objects.count))", theme[state.sceneView.focus == .objects ? .heading : .dim])])
        for (i, object) in detail.objects.enumerated() {
            let selected = state.sceneView.focus == .objects && i == state.sceneView.objectCursor
            var parts = [((selected ? "▸ " : "  ") + object.name, selected ? theme[.selection] : theme[.normal])]
            // The focused object's box, in picture pixels (what `b` edits).
            if selected { parts.append(("  \(object.box)", theme[.selection])) }
            if let (badge, style) = markBadge(state, .object(i)) { parts.append((" " + badge, style)) }
            writer.line(&grid, parts, fill: selected ? theme[.selection] : nil)
        }
        writer.blank()
        writer.line(&grid, [("Relations (\(detail.relations.count))", theme[state.sceneView.focus == .relations ? .heading : .dim])])
        for (i, relation) in detail.relations.enumerated() {
            let selected = state.sceneView.focus == .relations && i == state.sceneView.relationCursor
            var parts = [((selected ? "▸ " : "  ") + relation.text, selected ? theme[.selection] : theme[.normal])]
            if let (badge, style) = markBadge(state, .relation(i)) { parts.append((" " + badge, style)) }
            writer.line(&grid, parts, fill: selected ? theme[.selection] : nil)
        }
        if let target = Optional(state.focusedTarget), target != .scene, let note = state.marks.ofScene[target]?.note, !note.isEmpty {
            writer.blank()
            writer.wrapped(&grid, "note: " + note, style: theme[.dim])
        }
    }

    static func drawZeroShot(_ grid: inout CellGrid, _ state: ExplorerState, _ rect: CellRect) {
        let theme = state.theme
        guard let detail = state.sceneView.detail, !rect.isEmpty else { return }
        var writer = PaneWriter(rect: rect)
        writer.line(&grid, [("Zero-shot · \(detail.id)", theme[.heading])])
        guard let report = state.sceneView.zeroShot, report.sceneID == detail.id else {
            writer.wrapped(&grid, state.sceneView.zeroShotProblem ?? "ranking…", style: state.sceneView.zeroShotProblem == nil ? theme[.dim] : theme[.error])
            return
        }
        // The scene's items in the detail's order, each with its ranking (nil: not ranked, no cached vector yet).
        let objects = detail.objects.indices.map { (annotated: detail.objects[$0].name, ranked: report.item(.object, $0)) }
        let relations = detail.relations.indices.map { (annotated: detail.relations[$0].text, ranked: report.item(.relation, $0)) }
        func verdict(_ item: ZeroShotItem?) -> (String, CellStyle) {
            guard let item else { return ("?", theme[.dim]) }
            return item.agrees ? ("✓", theme[.agree]) : ("✗", theme[.disagree])
        }
        func topLine(_ item: ZeroShotItem?) -> String {
            guard let best = item?.ranking.first else { return "—" }
            return best.label + String(format: " %.2f", best.score)
        }
        let action = report.item(.global, 0)
        let (mark, markStyle) = verdict(action)
        writer.line(&grid, [(mark + " action: ", markStyle), (detail.action, theme[.label])])
        for (rank, scored) in (action?.ranking ?? []).prefix(5).enumerated() {
            let style = scored.label == action?.annotated ? theme[.agree] : theme[.normal]
            writer.line(&grid, [(String(format: "  %d %.2f ", rank + 1, scored.score), theme[.score]), (scored.label, style)])
        }
        writer.blank()
        writer.line(&grid, [("Objects: annotation → model", theme[state.sceneView.focus == .objects ? .heading : .dim])])
        for (i, item) in objects.enumerated() {
            let selected = state.sceneView.focus == .objects && i == state.sceneView.objectCursor
            let (m, s) = verdict(item.ranked)
            writer.line(&grid, [(selected ? "▸" : " ", theme[.normal]), (m + " ", s), (item.annotated + " → " + topLine(item.ranked), selected ? theme[.selection] : theme[.normal])])
        }
        writer.blank()
        writer.line(&grid, [("Relations: annotation → model", theme[state.sceneView.focus == .relations ? .heading : .dim])])
        for (i, item) in relations.enumerated() {
            let selected = state.sceneView.focus == .relations && i == state.sceneView.relationCursor
            let (m, s) = verdict(item.ranked)
            writer.line(&grid, [(selected ? "▸" : " ", theme[.normal]), (m + " ", s), (item.annotated + " → " + topLine(item.ranked), selected ? theme[.selection] : theme[.normal])])
        }
        // The focused item's ranking.
        let focusedItem: (annotated: String, ranked: ZeroShotItem?)?
        switch state.sceneView.focus {
        case .objects: focusedItem = objects.indices.contains(state.sceneView.objectCursor) ? objects[state.sceneView.objectCursor] : nil
        case .relations: focusedItem = relations.indices.contains(state.sceneView.relationCursor) ? relations[state.sceneView.relationCursor] : nil
        case .list: focusedItem = nil
        }
        if let item = focusedItem {
            writer.blank()
            writer.line(&grid, [("Model's top for “\(item.annotated)”", theme[.heading])])
            for (rank, scored) in (item.ranked?.ranking ?? []).prefix(5).enumerated() {
                let style = scored.label == item.annotated ? theme[.agree] : theme[.normal]
                writer.line(&grid, [(String(format: "  %d %.2f ", rank + 1, scored.score), theme[.score]), (scored.label, style)])
            }
        }
        writer.line(&grid, [("\(report.disagreements) disagreement(s)", report.disagreements > 0 ? theme[.disagree] : theme[.agree])])
    }

    static func drawInputLine(_ grid: inout CellGrid, _ state: ExplorerState, _ rect: CellRect) {
        let theme = state.theme
        if let input = state.query.input {
            let prompt: String
            switch input.kind {
            case .query: prompt = "/"
            case .filter: prompt = "filter: "
            case .export: prompt = "export \(state.sceneIDsInView.count) scene(s) to folder: "
            case .note(let target): prompt = "note (\(target)): "
            case .correction(let field): prompt = field.prompt
            }
            grid.fill(rect, style: theme[.query])
            var x = grid.put(prompt, column: rect.x, row: rect.y, style: theme[.query])
            let start = x
            x = grid.put(input.text, column: x, row: rect.y, style: theme[.query])
            // Cursor cell shown reversed.
            let cursorX = start + CellGrid.displayWidth(of: String(input.text.prefix(input.cursor)))
            if cursorX < rect.maxX {
                var cell = grid[cursorX, rect.y]
                cell.style.reverse.toggle()
                grid[cursorX, rect.y] = cell
            }
            if case .query = input.kind {
                var info = "[\(state.query.scope.rawValue)] "
                if state.query.inFlight { info += "… " } else if !state.query.text.isEmpty { info += "\(state.list.results.count) hits " }
                let w = CellGrid.displayWidth(of: info)
                if x + 2 + w <= rect.maxX { grid.put(info, column: rect.maxX - w, row: rect.y, style: theme[.query]) }
            }
            return
        }
        if let message = state.overlay.message {
            grid.put(message, column: rect.x + 1, row: rect.y, style: theme[state.overlay.messageIsError ? .error : .hint], limit: rect.width - 1)
        } else if let problem = state.backendStatus.modelProblem {
            grid.put(problem, column: rect.x + 1, row: rect.y, style: theme[.dim], limit: rect.width - 1)
        }
    }

    static func drawStatus(_ grid: inout CellGrid, _ state: ExplorerState, _ rect: CellRect) {
        let theme = state.theme
        grid.fill(rect, style: theme[.status])
        let hints: String
        if let input = state.query.input {
            if input.kind == .query {
                hints = " Enter:done  Esc:close  Tab:level  ↑↓:results"
            } else if case .correction = input.kind {
                hints = " Enter:store  Esc:cancel  Tab:complete from classes.json"
            } else {
                hints = " Enter:save  Esc:cancel"
            }
        } else if let edit = state.marks.boxEdit {
            hints = " box \(edit.box) · ←↑↓→ move \(edit.edge.rawValue == "whole" ? "the box" : "the \(edit.edge.rawValue) edge") by \(edit.step) px"
                + "  Tab:edge  +/-:step  Enter:store  Esc:cancel"
        } else {
            hints = " ?:help /:query f:filter s:sort Tab:pane z:zero-shot c/x/u:mark n:note m:more R:review M:marks q:quit"
        }
        var right = ""
        if let progress = state.overlay.indexing {
            let percent = progress.total > 0 ? progress.done * 100 / progress.total : 0
            right = " indexing \(progress.done)/\(progress.total) \(percent)% (X cancels) "
        }
        let rightWidth = CellGrid.displayWidth(of: right)
        grid.put(hints, column: rect.x, row: rect.y, style: theme[.status], limit: rect.width - rightWidth)
        if !right.isEmpty { grid.put(right, column: rect.maxX - rightWidth, row: rect.y, style: theme[.progress]) }
    }

    /// Lines of the help overlay.
    public static let helpLines: [String] = [
        "Keys",
        "",
        "↑↓ j k        move in the focused pane     g G  first / last",
        "PgUp PgDn     page                         Tab  scenes → objects → relations",
        "← h / → l     back to the list / next pane  Esc  back to the scene list",
        "/             query (live): text or \"2:dog\" + \"ball\" - \"grass\"",
        "              Tab in the query line: global / object / relation / all",
        "m             more like this (scene, object or relation in focus)",
        "f             filter: action:… object:… relation:… tag:… id:… or words",
        "s             sort: dataset order, id, action, most objects",
        "z             zero-shot view: the model's ranking beside the annotation",
        "c x u         mark focused item correct / wrong / unsure (again: unmark)",
        "n             note on the focused item's mark",
        "R             review queue (most model disagreement first)",
        "W             duplicate groups (] [ next/previous group, d drops a member)",
        "M             all marks",
        "E             export the list in view (scenes, results, queue, marks, duplicates)",
        "C             class view: counts and accuracy per class (Enter filters; H heat map)",
        "V             embedding map of a level (move, v rectangle, Enter lists the scenes)",
        "I X           start / cancel background indexing",
        "e             correct the focused label: action, object class or relation",
        "              (Tab completes from classes.json; any text makes a new class)",
        "b             move / resize the focused object's box: arrows, Tab edge, +/- step,",
        "              mouse: drag to draw the box, click to move its nearest corner",
        "A             add an object: place its box, Enter, then type its class",
        "D             delete the focused object or relation",
        "U  Ctrl-R     undo / redo the scene's latest correction",
        "mouse         click a scene or a box, wheel scrolls",
        "q             quit",
        "",
        "press any key to close",
    ]

    static func drawHelp(_ grid: inout CellGrid, _ state: ExplorerState) {
        let theme = state.theme
        let width = min(state.size.columns - 2, (helpLines.map { CellGrid.displayWidth(of: $0) }.max() ?? 0) + 4)
        let height = min(state.size.rows - 2, helpLines.count + 2)
        let rect = CellRect(x: (state.size.columns - width) / 2, y: (state.size.rows - height) / 2, width: width, height: height)
        grid.fill(rect, style: theme[.help])
        drawBox(&grid, rect, label: " Help ", style: theme[.border])
        for (i, line) in helpLines.prefix(height - 2).enumerated() {
            grid.put(line, column: rect.x + 2, row: rect.y + 1 + i, style: i == 0 ? theme[.heading] : theme[.help], limit: width - 4)
        }
    }
}

/// Writes lines top-down into a pane, clipping at its bottom.
struct PaneWriter {
    let rect: CellRect
    var row: Int

    init(rect: CellRect) {
        self.rect = rect
        row = rect.y
    }

    mutating func line(_ grid: inout CellGrid, _ parts: [(String, CellStyle)], fill: CellStyle? = nil) {
        guard row < rect.maxY else { return }
        if let fill { grid.fill(CellRect(x: rect.x, y: row, width: rect.width, height: 1), style: fill) }
        var x = rect.x + 1
        for (text, style) in parts { x = grid.put(text, column: x, row: row, style: style, limit: max(0, rect.maxX - x)) }
        row += 1
    }

    mutating func blank() { if row > rect.y { row += 1 } }

    mutating func wrapped(_ grid: inout CellGrid, _ text: String, style: CellStyle, maxLines: Int = 3) {
        let width = max(1, rect.width - 2)
        var current = ""
        var lines: [String] = []
        for word in text.split(separator: " ") {
            if current.isEmpty { current = String(word) }
            else if CellGrid.displayWidth(of: current) + 1 + CellGrid.displayWidth(of: String(word)) <= width { current += " " + word }
            else { lines.append(current); current = String(word) }
        }
        if !current.isEmpty { lines.append(current) }
        if lines.count > maxLines {
            lines = Array(lines.prefix(maxLines))
            lines[maxLines - 1] = String(lines[maxLines - 1].prefix(max(0, width - 1))) + "…"
        }
        for l in lines { line(&grid, [(l, style)]) }
    }
}
