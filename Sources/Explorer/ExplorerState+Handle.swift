import SceneWorkspace
import EmbeddingCache
import Scenes

/// Key, mouse and result handling: `handle(event) → effects`. Nothing here calls the backend.
extension ExplorerState {
    /// Applies `event` and returns the work the session must do for it.
    public mutating func handle(_ event: ExplorerEvent) -> [ExplorerEffect] {
        switch event {
        case .resize(let newSize):
            size = newSize
            clampScroll()
            return []
        case .key(let key):
            return handleKey(key)
        case .mouse(let column, let row, let action):
            return handleMouse(column: column, row: row, action: action)
        case .searchFinished(let generation, let result):
            guard generation == query.generation else { return [] }
            query.inFlight = false
            switch result {
            case .success(let hits):
                list.results = hits
                list.resultCursor = 0
                query.lastProblem = nil
                if list.mode == .results, query.input == nil, let first = hits.first { return showHit(first) }
            case .failure(let error):
                list.results = []
                query.lastProblem = error.description
            }
            return []
        case .zeroShotLoaded(let sceneID, let result):
            guard sceneID == sceneView.detail?.id else { return [] }
            switch result {
            case .success(let report): sceneView.zeroShot = report; sceneView.zeroShotProblem = nil
            case .failure(let error): sceneView.zeroShot = nil; sceneView.zeroShotProblem = error.description
            }
            return []
        case .reviewQueueLoaded(let result):
            switch result {
            case .success(let ids):
                marks.reviewIDs = ids
                marks.reviewCursor = 0
                list.mode = .review
                sceneView.focus = .list
                say(ids.isEmpty ? "review queue is empty" : "review queue: \(ids.count) scenes, most disagreement first")
                if let first = ids.first { return [.loadScene(first)] }
            case .failure(let error):
                sayError(error.description)
            }
            return []
        case .duplicatesLoaded(let result):
            return duplicatesLoaded(result)
        case .exportFinished(let result):
            switch result {
            case .success(let done): say("exported \(done.count) scene(s) to \(done.path)")
            case .failure(let error): sayError("export failed: \(error.description)")
            }
            return []
        case .indexProgress(let progress):
            overlay.indexing = progress
            if progress.finished {
                backendStatus.indexed = progress.message == nil
                overlay.indexing = nil
                say(progress.message ?? (progress.done == 0 ? "index already up to date" : "indexing finished: \(progress.done) items"))
                // The open zero-shot view was ranked without (all) vectors: rank the scene again.
                if sceneView.zeroShotVisible, let id = sceneView.detail?.id { sceneView.zeroShot = nil; sceneView.zeroShotProblem = nil; return [.loadZeroShot(id)] }
            }
            return []
        case .insightLoaded(let result):
            return handleInsightResult(result)
        }
    }

    // MARK: Keys

    mutating func handleKey(_ key: Key) -> [ExplorerEffect] {
        if overlay.helpVisible {
            overlay.helpVisible = false
            return []
        }
        if query.input != nil { return handleInputKey(key) }
        overlay.message = nil
        if marks.boxEdit != nil { return handleBoxEditKey(key) }
        if let effects = handleInsightKey(key) { return effects }
        if let effects = handleCorrectionKey(key) { return effects }
        switch key {
        case .char("q"), .ctrl("c"): return [.quit]
        case .char("?"): overlay.helpVisible = true; return []
        case .char("/"):
            query.input = InputLine(kind: .query, text: query.text)
            list.mode = .results
            sceneView.focus = .list
            return []
        case .char("f"):
            query.filterBeforeEditing = list.filter
            query.input = InputLine(kind: .filter, text: list.filter.text)
            return []
        case .char("s"):
            list.sort = list.sort.next
            applyFilterAndSort()
            say("sorted by \(list.sort.title)")
            return []
        case .char("z"):
            sceneView.zeroShotVisible.toggle()
            if sceneView.zeroShotVisible, let id = sceneView.detail?.id, sceneView.zeroShot?.sceneID != id { return [.loadZeroShot(id)] }
            return []
        case .char("R"):
            say("loading review queue…")
            return [.loadReviewQueue]
        case .char("W"):
            say("finding duplicate groups…")
            return [.loadDuplicates]
        case .char("d") where list.mode == .duplicates:
            return dropFocusedDuplicate()
        case .char("]") where list.mode == .duplicates:
            return jumpDuplicateGroup(by: 1)
        case .char("[") where list.mode == .duplicates:
            return jumpDuplicateGroup(by: -1)
        case .char("E"):
            guard !sceneIDsInView.isEmpty else {
                say("nothing to export: the list in view is empty")
                return []
            }
            query.input = InputLine(kind: .export, text: query.exportDefaultPath)
            return []
        case .char("M"):
            list.mode = .marks
            sceneView.focus = .list
            marks.cursor = 0
            return [.loadAllMarks]
        case .char("m"):
            guard let id = sceneView.detail?.id else { return [] }
            query.generation += 1
            query.inFlight = true
            list.mode = .results
            list.resultsTitle = "more like \(id) \(focusedTarget == .scene ? "" : focusedTarget.description)"
                .trimmingCharacters(in: .whitespaces)
            sceneView.focus = .list
            return [.moreLikeThis(sceneID: id, target: focusedTarget, generation: query.generation)]
        case .char("c"): return toggleMark(.correct)
        case .char("x"): return toggleMark(.wrong)
        case .char("u"): return toggleMark(.unsure)
        case .char("n"):
            guard sceneView.detail != nil else { return [] }
            let target = focusedTarget
            query.input = InputLine(kind: .note(target), text: marks.ofScene[target]?.note ?? "")
            return []
        case .char("X"):
            guard overlay.indexing != nil else { return [] }
            say("cancelling indexing…")
            return [.cancelIndexing]
        case .char("I"):
            guard overlay.indexing == nil else { return [] }
            return [.startIndexing]
        case .tab: cycleFocus(forward: true); return []
        case .backTab: cycleFocus(forward: false); return []
        case .escape:
            if list.mode != .scenes {
                list.mode = .scenes
                sceneView.hitRegion = nil
                sceneView.focus = .list
                if let id = cursorScene?.id, id != sceneView.detail?.id { return [.loadScene(id)] }
            } else if sceneView.focus != .list {
                sceneView.focus = .list
            }
            return []
        case .enter, .char("l"), .right:
            if sceneView.focus == .list && list.mode != .scenes {
                sceneView.focus = .objects
                if sceneView.detail?.objects.isEmpty ?? true { sceneView.focus = .relations }
                return []
            }
            if key == .enter { return [] }
            cycleFocus(forward: true)
            return []
        case .char("h"), .left:
            sceneView.focus = .list
            return []
        case .down, .char("j"): return move(by: 1)
        case .up, .char("k"): return move(by: -1)
        case .pageDown, .ctrl("f"), .ctrl("d"): return move(by: max(1, listHeight - 1))
        case .pageUp, .ctrl("b"), .ctrl("u"): return move(by: -max(1, listHeight - 1))
        case .home, .char("g"): return move(by: -Int.max / 2)
        case .end, .char("G"): return move(by: Int.max / 2)
        default:
            return []
        }
    }

    mutating func handleInputKey(_ key: Key) -> [ExplorerEffect] {
        guard var line = query.input else { return [] }
        var changed = false
        switch key {
        case .escape:
            query.input = nil
            switch line.kind {
            case .query:
                if query.text.isEmpty { list.mode = .scenes }
            case .filter:
                list.filter = query.filterBeforeEditing ?? list.filter
                applyFilterAndSort()
                return loadCursorScene()
            case .note, .correction, .export: break
            }
            return []
        case .enter:
            query.input = nil
            switch line.kind {
            case .query:
                if query.text.isEmpty { list.mode = .scenes; return [] }
                sceneView.focus = .list
                if let hit = list.results.first, list.resultCursor == 0 { return showHit(hit) }
                return []
            case .filter:
                say("\(list.visible.count) of \(list.scenes.count) scenes match")
                return []
            case .note(let target):
                guard let id = sceneView.detail?.id else { return [] }
                let verdict = marks.ofScene[target]?.verdict ?? .unsure
                let mark = AnnotationMark(sceneID: id, target: target, verdict: verdict, note: line.text)
                marks.ofScene[target] = mark
                say("note saved on \(target)")
                return [.setMark(mark)]
            case .correction(let field):
                guard let change = correctionChange(field, text: line.text) else {
                    // A malformed line stays open to be fixed; an empty one stores nothing.
                    if !line.text.trimmingCharacters(in: .whitespaces).isEmpty { query.input = line }
                    return []
                }
                return correct(change)
            case .export:
                let path = line.text.trimmingCharacters(in: .whitespaces)
                let ids = sceneIDsInView
                guard !path.isEmpty, !ids.isEmpty else { return [] }
                say("exporting \(ids.count) scene(s) to \(path)…")
                return [.export(sceneIDs: ids, path: path)]
            }
        case .tab where line.kind == .query:
            query.scope = query.scope.next
            return runQuery()
        case .tab:
            if case .correction(let field) = line.kind {
                completeCorrection(&line, field: field)
                query.input = line
            }
            return []
        case .backspace, .ctrl("h"):
            if line.cursor > 0 {
                let i = line.text.index(line.text.startIndex, offsetBy: line.cursor - 1)
                line.text.remove(at: i)
                line.cursor -= 1
                changed = true
            }
        case .delete, .ctrl("d"):
            if line.cursor < line.text.count {
                line.text.remove(at: line.text.index(line.text.startIndex, offsetBy: line.cursor))
                changed = true
            }
        case .left, .ctrl("b"): line.cursor = max(0, line.cursor - 1)
        case .right, .ctrl("f"): line.cursor = min(line.text.count, line.cursor + 1)
        case .home, .ctrl("a"): line.cursor = 0
        case .end, .ctrl("e"): line.cursor = line.text.count
        case .ctrl("u"):
            line.text.removeFirst(line.cursor)
            line.cursor = 0
            changed = true
        case .ctrl("w"):
            let chars = Array(line.text)
            var i = line.cursor
            while i > 0 && chars[i - 1] == " " { i -= 1 }
            while i > 0 && chars[i - 1] != " " { i -= 1 }
            line.text = String(chars[..<i] + chars[line.cursor...])
            line.cursor = i
            changed = true
        case .ctrl("c"):
            query.input = nil
            return []
        case .char(let c):
            line.text.insert(c, at: line.text.index(line.text.startIndex, offsetBy: line.cursor))
            line.cursor += 1
            changed = true
        case .down, .up:
            // Move in the results while typing.
            if line.kind == .query {
                query.input = line
                return move(by: key == .down ? 1 : -1)
            }
        default: break
        }
        if changed { line.completionStem = nil }
        query.input = line
        guard changed else { return [] }
        switch line.kind {
        case .query:
            query.text = line.text
            return runQuery()
        case .filter:
            list.filter = SceneFilter(line.text)
            list.sceneCursor = 0
            list.mode = .scenes
            applyFilterAndSort()
            return loadCursorScene()
        case .note, .correction, .export:
            return []
        }
    }

    /// The scenes of the list in view, in its order, each once: the filtered and sorted scene list, the query
    /// or more-like-this results, the marks list, the review queue or the duplicates list.
    public var sceneIDsInView: [String] {
        let ids: [String]
        switch list.mode {
        case .scenes: ids = list.visible.map { list.scenes[$0].id }
        case .results: ids = list.results.map(\.sceneID)
        case .marks: ids = marks.all.map(\.sceneID)
        case .review: ids = marks.reviewIDs
        case .duplicates: ids = list.duplicateRows.map(\.sceneID)
        }
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// Sends the current query text (or clears the results when empty).
    mutating func runQuery() -> [ExplorerEffect] {
        query.generation += 1
        list.resultsTitle = query.text
        list.mode = .results
        guard !query.text.trimmingCharacters(in: .whitespaces).isEmpty else {
            list.results = []
            query.inFlight = false
            query.lastProblem = nil
            return []
        }
        query.inFlight = true
        return [.search(QueryRequest(text: query.text, scope: query.scope), generation: query.generation)]
    }

    // MARK: Movement

    /// Rows the list pane shows.
    var listHeight: Int { max(1, size.rows - 4) }

    mutating func move(by delta: Int) -> [ExplorerEffect] {
        func step(_ cursor: inout Int, count: Int) -> Bool {
            guard count > 0 else { return false }
            let new = min(count - 1, max(0, cursor.addingReportingOverflow(delta).partialValue))
            defer { cursor = new }
            return new != cursor
        }
        switch sceneView.focus {
        case .objects:
            _ = step(&sceneView.objectCursor, count: sceneView.detail?.objects.count ?? 0)
            return []
        case .relations:
            _ = step(&sceneView.relationCursor, count: sceneView.detail?.relations.count ?? 0)
            return []
        case .list: break
        }
        switch list.mode {
        case .scenes:
            guard step(&list.sceneCursor, count: list.visible.count) else { return [] }
            clampScroll()
            return loadCursorScene()
        case .results:
            guard step(&list.resultCursor, count: list.results.count) else { return [] }
            clampScroll()
            return showHit(list.results[list.resultCursor])
        case .marks:
            guard step(&marks.cursor, count: marks.all.count) else { return [] }
            clampScroll()
            return showMark(marks.all[marks.cursor])
        case .review:
            guard step(&marks.reviewCursor, count: marks.reviewIDs.count) else { return [] }
            clampScroll()
            return [.loadScene(marks.reviewIDs[marks.reviewCursor])]
        case .duplicates:
            guard step(&list.duplicateCursor, count: list.duplicateRows.count) else { return [] }
            clampScroll()
            return [.loadScene(list.duplicateRows[list.duplicateCursor].sceneID)]
        }
    }

    /// Cursor of the list shown now.
    var activeListCursor: Int {
        switch list.mode {
        case .scenes: return list.sceneCursor
        case .results: return list.resultCursor
        case .marks: return marks.cursor
        case .review: return marks.reviewCursor
        case .duplicates: return list.duplicateCursor
        }
    }

    /// Keeps the list cursor inside the visible rows.
    mutating func clampScroll() {
        let cursor = activeListCursor
        let height = listHeight
        if cursor < list.scroll { list.scroll = cursor }
        if cursor >= list.scroll + height { list.scroll = cursor - height + 1 }
        list.scroll = max(0, list.scroll)
    }

    mutating func loadCursorScene() -> [ExplorerEffect] {
        sceneView.hitRegion = nil
        guard let id = cursorScene?.id else {
            sceneView.detail = nil
            sceneView.picture = nil
            sceneView.pixelPicture = nil
            return []
        }
        return id == sceneView.detail?.id ? [] : [.loadScene(id)]
    }

    /// Shows the scene of a hit with its region highlighted and its item selected.
    mutating func showHit(_ hit: WorkspaceHit) -> [ExplorerEffect] {
        sceneView.hitRegion = hit.region
        switch hit.level {
        case .object: sceneView.objectCursor = hit.index
        case .relation: sceneView.relationCursor = hit.index
        case .global: break
        }
        return hit.sceneID == sceneView.detail?.id ? [] : [.loadScene(hit.sceneID)]
    }

    mutating func showMark(_ mark: AnnotationMark) -> [ExplorerEffect] {
        sceneView.hitRegion = nil
        switch mark.target {
        case .object(let i): sceneView.objectCursor = i
        case .relation(let i): sceneView.relationCursor = i
        case .scene: break
        }
        return mark.sceneID == sceneView.detail?.id ? [] : [.loadScene(mark.sceneID)]
    }

    mutating func cycleFocus(forward: Bool) {
        let order = Focus.allCases
        var i = order.firstIndex(of: sceneView.focus)!
        repeat {
            i = (i + (forward ? 1 : order.count - 1)) % order.count
        } while order[i] == .objects && (sceneView.detail?.objects.isEmpty ?? true)
            || order[i] == .relations && (sceneView.detail?.relations.isEmpty ?? true)
        sceneView.focus = order[i]
    }

    // MARK: Marks

    mutating func toggleMark(_ verdict: AnnotationMark.Verdict) -> [ExplorerEffect] {
        guard let id = sceneView.detail?.id else { return [] }
        let target = focusedTarget
        if let existing = marks.ofScene[target], existing.verdict == verdict {
            marks.ofScene[target] = nil
            say("mark removed from \(target)")
            return [.removeMark(sceneID: id, target: target)]
        }
        let mark = AnnotationMark(sceneID: id, target: target, verdict: verdict, note: marks.ofScene[target]?.note ?? "")
        marks.ofScene[target] = mark
        say("marked \(target) of \(id) \(verdict.rawValue)")
        return [.setMark(mark)]
    }

    // MARK: Mouse

    mutating func handleMouse(column: Int, row: Int, action: MouseAction) -> [ExplorerEffect] {
        guard !isTooSmall else { return [] }
        if overlay.helpVisible { overlay.helpVisible = false; return [] }
        let layout = ExplorerLayout(size: size)
        // While a box is edited the mouse only draws on the picture (the scene stays).
        if marks.boxEdit != nil, action == .wheelUp || action == .wheelDown || !layout.picture.contains(column: column, row: row) { return [] }
        switch action {
        case .wheelUp: return move(by: -3)
        case .wheelDown: return move(by: 3)
        case .release:
            // The end of a drag over the picture while a box is edited: the box spans from the press to here.
            if let detail = sceneView.detail, marks.boxEdit != nil, let geometry = PictureGeometry(area: layout.picture, imageWidth: detail.imageWidth,
                imageHeight: detail.imageHeight, cellAspect: sceneView.cellAspect),
                let (x, y) = geometry.pixel(column: column, row: row)
            {
                finishBoxDrag(x: x, y: y, width: detail.imageWidth, height: detail.imageHeight)
            }
            return []
        case .click:
            if layout.list.contains(column: column, row: row) {
                let index = list.scroll + (row - layout.list.y - 1)
                guard row > layout.list.y else { return [] }
                sceneView.focus = .list
                return move(by: index - activeListCursor)
            }
            if let detail = sceneView.detail, let geometry = PictureGeometry(area: layout.picture, imageWidth: detail.imageWidth,
                imageHeight: detail.imageHeight, cellAspect: sceneView.cellAspect),
                let (x, y) = geometry.pixel(column: column, row: row)
            {
                if marks.boxEdit != nil {
                    placeBoxCorner(x: x, y: y, width: detail.imageWidth, height: detail.imageHeight)
                    return []
                }
                // The smallest box under the pointer.
                let hits = detail.objects.indices.filter {
                    let b = detail.objects[$0].box
                    return x >= b.x1 && x < b.x2 && y >= b.y1 && y < b.y2
                }
                if let best = hits.min(by: { detail.objects[$0].box.width * detail.objects[$0].box.height
                    < detail.objects[$1].box.width * detail.objects[$1].box.height }) {
                    sceneView.focus = .objects
                    sceneView.objectCursor = best
                }
            }
            return []
        }
    }

    // MARK: Messages

    mutating func say(_ text: String) {
        overlay.message = text
        overlay.messageIsError = false
    }

    mutating func sayError(_ text: String) {
        overlay.message = text
        overlay.messageIsError = true
    }
}
