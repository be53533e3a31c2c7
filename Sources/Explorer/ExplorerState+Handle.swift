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
            guard generation == searchGeneration else { return [] }
            searchInFlight = false
            switch result {
            case .success(let hits):
                results = hits
                resultCursor = 0
                lastSearchProblem = nil
                if listMode == .results, input == nil, let first = hits.first { return showHit(first) }
            case .failure(let error):
                results = []
                lastSearchProblem = error.description
            }
            return []
        case .zeroShotLoaded(let sceneID, let result):
            guard sceneID == detail?.id else { return [] }
            switch result {
            case .success(let report): zeroShot = report; zeroShotProblem = nil
            case .failure(let error): zeroShot = nil; zeroShotProblem = error.description
            }
            return []
        case .reviewQueueLoaded(let result):
            switch result {
            case .success(let ids):
                reviewIDs = ids
                reviewCursor = 0
                listMode = .review
                focus = .list
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
            indexing = progress
            if progress.finished {
                backendStatus.indexed = progress.message == nil
                indexing = nil
                say(progress.message ?? (progress.done == 0 ? "index already up to date" : "indexing finished: \(progress.done) items"))
                // The open zero-shot view was ranked without (all) vectors: rank the scene again.
                if zeroShotVisible, let id = detail?.id { zeroShot = nil; zeroShotProblem = nil; return [.loadZeroShot(id)] }
            }
            return []
        case .insightLoaded(let result):
            return handleInsightResult(result)
        }
    }

    // MARK: Keys

    mutating func handleKey(_ key: Key) -> [ExplorerEffect] {
        if helpVisible {
            helpVisible = false
            return []
        }
        if input != nil { return handleInputKey(key) }
        message = nil
        if boxEdit != nil { return handleBoxEditKey(key) }
        if let effects = handleInsightKey(key) { return effects }
        if let effects = handleCorrectionKey(key) { return effects }
        switch key {
        case .char("q"), .ctrl("c"): return [.quit]
        case .char("?"): helpVisible = true; return []
        case .char("/"):
            input = InputLine(kind: .query, text: queryText)
            listMode = .results
            focus = .list
            return []
        case .char("f"):
            filterBeforeEditing = filter
            input = InputLine(kind: .filter, text: filter.text)
            return []
        case .char("s"):
            sort = sort.next
            applyFilterAndSort()
            say("sorted by \(sort.title)")
            return []
        case .char("z"):
            zeroShotVisible.toggle()
            if zeroShotVisible, let id = detail?.id, zeroShot?.sceneID != id { return [.loadZeroShot(id)] }
            return []
        case .char("R"):
            say("loading review queue…")
            return [.loadReviewQueue]
        case .char("W"):
            say("finding duplicate groups…")
            return [.loadDuplicates]
        case .char("d") where listMode == .duplicates:
            return dropFocusedDuplicate()
        case .char("]") where listMode == .duplicates:
            return jumpDuplicateGroup(by: 1)
        case .char("[") where listMode == .duplicates:
            return jumpDuplicateGroup(by: -1)
        case .char("E"):
            guard !sceneIDsInView.isEmpty else {
                say("nothing to export: the list in view is empty")
                return []
            }
            input = InputLine(kind: .export, text: exportDefaultPath)
            return []
        case .char("M"):
            listMode = .marks
            focus = .list
            markCursor = 0
            return [.loadAllMarks]
        case .char("m"):
            guard let id = detail?.id else { return [] }
            searchGeneration += 1
            searchInFlight = true
            listMode = .results
            resultsTitle = "more like \(id) \(focusedTarget == .scene ? "" : focusedTarget.description)"
                .trimmingCharacters(in: .whitespaces)
            focus = .list
            return [.moreLikeThis(sceneID: id, target: focusedTarget, generation: searchGeneration)]
        case .char("c"): return toggleMark(.correct)
        case .char("x"): return toggleMark(.wrong)
        case .char("u"): return toggleMark(.unsure)
        case .char("n"):
            guard detail != nil else { return [] }
            let target = focusedTarget
            input = InputLine(kind: .note(target), text: sceneMarks[target]?.note ?? "")
            return []
        case .char("X"):
            guard indexing != nil else { return [] }
            say("cancelling indexing…")
            return [.cancelIndexing]
        case .char("I"):
            guard indexing == nil else { return [] }
            return [.startIndexing]
        case .tab: cycleFocus(forward: true); return []
        case .backTab: cycleFocus(forward: false); return []
        case .escape:
            if listMode != .scenes {
                listMode = .scenes
                hitRegion = nil
                focus = .list
                if let id = cursorScene?.id, id != detail?.id { return [.loadScene(id)] }
            } else if focus != .list {
                focus = .list
            }
            return []
        case .enter, .char("l"), .right:
            if focus == .list && listMode != .scenes {
                focus = .objects
                if detail?.objects.isEmpty ?? true { focus = .relations }
                return []
            }
            if key == .enter { return [] }
            cycleFocus(forward: true)
            return []
        case .char("h"), .left:
            focus = .list
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
        guard var line = input else { return [] }
        var changed = false
        switch key {
        case .escape:
            input = nil
            switch line.kind {
            case .query:
                if queryText.isEmpty { listMode = .scenes }
            case .filter:
                filter = filterBeforeEditing ?? filter
                applyFilterAndSort()
                return loadCursorScene()
            case .note, .correction, .export: break
            }
            return []
        case .enter:
            input = nil
            switch line.kind {
            case .query:
                if queryText.isEmpty { listMode = .scenes; return [] }
                focus = .list
                if let hit = results.first, resultCursor == 0 { return showHit(hit) }
                return []
            case .filter:
                say("\(visible.count) of \(scenes.count) scenes match")
                return []
            case .note(let target):
                guard let id = detail?.id else { return [] }
                let verdict = sceneMarks[target]?.verdict ?? .unsure
                let mark = AnnotationMark(sceneID: id, target: target, verdict: verdict, note: line.text)
                sceneMarks[target] = mark
                say("note saved on \(target)")
                return [.setMark(mark)]
            case .correction(let field):
                guard let change = correctionChange(field, text: line.text) else {
                    // A malformed line stays open to be fixed; an empty one stores nothing.
                    if !line.text.trimmingCharacters(in: .whitespaces).isEmpty { input = line }
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
            queryScope = queryScope.next
            return runQuery()
        case .tab:
            if case .correction(let field) = line.kind {
                completeCorrection(&line, field: field)
                input = line
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
            input = nil
            return []
        case .char(let c):
            line.text.insert(c, at: line.text.index(line.text.startIndex, offsetBy: line.cursor))
            line.cursor += 1
            changed = true
        case .down, .up:
            // Move in the results while typing.
            if line.kind == .query {
                input = line
                return move(by: key == .down ? 1 : -1)
            }
        default: break
        }
        if changed { line.completionStem = nil }
        input = line
        guard changed else { return [] }
        switch line.kind {
        case .query:
            queryText = line.text
            return runQuery()
        case .filter:
            filter = SceneFilter(line.text)
            sceneCursor = 0
            listMode = .scenes
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
        switch listMode {
        case .scenes: ids = visible.map { scenes[$0].id }
        case .results: ids = results.map(\.sceneID)
        case .marks: ids = allMarks.map(\.sceneID)
        case .review: ids = reviewIDs
        case .duplicates: ids = duplicateRows.map(\.sceneID)
        }
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// Sends the current query text (or clears the results when empty).
    mutating func runQuery() -> [ExplorerEffect] {
        searchGeneration += 1
        resultsTitle = queryText
        listMode = .results
        guard !queryText.trimmingCharacters(in: .whitespaces).isEmpty else {
            results = []
            searchInFlight = false
            lastSearchProblem = nil
            return []
        }
        searchInFlight = true
        return [.search(QueryRequest(text: queryText, scope: queryScope), generation: searchGeneration)]
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
        switch focus {
        case .objects:
            _ = step(&objectCursor, count: detail?.objects.count ?? 0)
            return []
        case .relations:
            _ = step(&relationCursor, count: detail?.relations.count ?? 0)
            return []
        case .list: break
        }
        switch listMode {
        case .scenes:
            guard step(&sceneCursor, count: visible.count) else { return [] }
            clampScroll()
            return loadCursorScene()
        case .results:
            guard step(&resultCursor, count: results.count) else { return [] }
            clampScroll()
            return showHit(results[resultCursor])
        case .marks:
            guard step(&markCursor, count: allMarks.count) else { return [] }
            clampScroll()
            return showMark(allMarks[markCursor])
        case .review:
            guard step(&reviewCursor, count: reviewIDs.count) else { return [] }
            clampScroll()
            return [.loadScene(reviewIDs[reviewCursor])]
        case .duplicates:
            guard step(&duplicateCursor, count: duplicateRows.count) else { return [] }
            clampScroll()
            return [.loadScene(duplicateRows[duplicateCursor].sceneID)]
        }
    }

    /// Cursor of the list shown now.
    var activeListCursor: Int {
        switch listMode {
        case .scenes: return sceneCursor
        case .results: return resultCursor
        case .marks: return markCursor
        case .review: return reviewCursor
        case .duplicates: return duplicateCursor
        }
    }

    /// Keeps the list cursor inside the visible rows.
    mutating func clampScroll() {
        let cursor = activeListCursor
        let height = listHeight
        if cursor < listScroll { listScroll = cursor }
        if cursor >= listScroll + height { listScroll = cursor - height + 1 }
        listScroll = max(0, listScroll)
    }

    mutating func loadCursorScene() -> [ExplorerEffect] {
        hitRegion = nil
        guard let id = cursorScene?.id else {
            detail = nil
            picture = nil
            pixelPicture = nil
            return []
        }
        return id == detail?.id ? [] : [.loadScene(id)]
    }

    /// Shows the scene of a hit with its region highlighted and its item selected.
    mutating func showHit(_ hit: WorkspaceHit) -> [ExplorerEffect] {
        hitRegion = hit.region
        switch hit.level {
        case .object: objectCursor = hit.index
        case .relation: relationCursor = hit.index
        case .global: break
        }
        return hit.sceneID == detail?.id ? [] : [.loadScene(hit.sceneID)]
    }

    mutating func showMark(_ mark: AnnotationMark) -> [ExplorerEffect] {
        hitRegion = nil
        switch mark.target {
        case .object(let i): objectCursor = i
        case .relation(let i): relationCursor = i
        case .scene: break
        }
        return mark.sceneID == detail?.id ? [] : [.loadScene(mark.sceneID)]
    }

    mutating func cycleFocus(forward: Bool) {
        let order = Focus.allCases
        var i = order.firstIndex(of: focus)!
        repeat {
            i = (i + (forward ? 1 : order.count - 1)) % order.count
        } while order[i] == .objects && (detail?.objects.isEmpty ?? true)
            || order[i] == .relations && (detail?.relations.isEmpty ?? true)
        focus = order[i]
    }

    // MARK: Marks

    mutating func toggleMark(_ verdict: AnnotationMark.Verdict) -> [ExplorerEffect] {
        guard let id = detail?.id else { return [] }
        let target = focusedTarget
        if let existing = sceneMarks[target], existing.verdict == verdict {
            sceneMarks[target] = nil
            say("mark removed from \(target)")
            return [.removeMark(sceneID: id, target: target)]
        }
        let mark = AnnotationMark(sceneID: id, target: target, verdict: verdict, note: sceneMarks[target]?.note ?? "")
        sceneMarks[target] = mark
        say("marked \(target) of \(id) \(verdict.rawValue)")
        return [.setMark(mark)]
    }

    // MARK: Mouse

    mutating func handleMouse(column: Int, row: Int, action: MouseAction) -> [ExplorerEffect] {
        guard !isTooSmall else { return [] }
        if helpVisible { helpVisible = false; return [] }
        let layout = ExplorerLayout(size: size)
        // While a box is edited the mouse only draws on the picture (the scene stays).
        if boxEdit != nil, action == .wheelUp || action == .wheelDown || !layout.picture.contains(column: column, row: row) { return [] }
        switch action {
        case .wheelUp: return move(by: -3)
        case .wheelDown: return move(by: 3)
        case .release:
            // The end of a drag over the picture while a box is edited: the box spans from the press to here.
            if let detail, boxEdit != nil, let geometry = PictureGeometry(area: layout.picture, imageWidth: detail.imageWidth,
                imageHeight: detail.imageHeight, cellAspect: cellAspect),
                let (x, y) = geometry.pixel(column: column, row: row)
            {
                finishBoxDrag(x: x, y: y, width: detail.imageWidth, height: detail.imageHeight)
            }
            return []
        case .click:
            if layout.list.contains(column: column, row: row) {
                let index = listScroll + (row - layout.list.y - 1)
                guard row > layout.list.y else { return [] }
                focus = .list
                return move(by: index - activeListCursor)
            }
            if let detail, let geometry = PictureGeometry(area: layout.picture, imageWidth: detail.imageWidth,
                imageHeight: detail.imageHeight, cellAspect: cellAspect),
                let (x, y) = geometry.pixel(column: column, row: row)
            {
                if boxEdit != nil {
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
                    focus = .objects
                    objectCursor = best
                }
            }
            return []
        }
    }

    // MARK: Messages

    mutating func say(_ text: String) {
        message = text
        messageIsError = false
    }

    mutating func sayError(_ text: String) {
        message = text
        messageIsError = true
    }
}
