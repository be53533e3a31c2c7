import EmbeddingCache
/// The duplicates list (`W`): every exact or near-duplicate group of whole scenes, its members on adjacent rows
/// with their splits, the groups that span splits (leaks) called out. Moving through the list shows each member's
/// picture and annotation in turn, so a group's members are compared one after another; `]` and `[` jump to the
/// next and previous group; `d` drops the member in focus — a `wrong` mark on the scene with the note
/// "duplicate of ID", where ID is the member the group keeps — and the usual mark keys work on any member.
extension ExplorerState {
    mutating func duplicatesLoaded(_ result: Result<[DuplicateRow], ExplorerError>) -> [ExplorerEffect] {
        switch result {
        case .success(let rows):
            list.duplicateRows = rows
            list.duplicateCursor = 0
            list.scroll = 0
            list.mode = .duplicates
            sceneView.focus = .list
            let groups = Set(rows.map(\.group)).count
            let leaks = Set(rows.filter(\.leak).map(\.group)).count
            say(rows.isEmpty ? "no duplicate groups"
                : "\(groups) duplicate group(s), \(leaks) across splits — ● kept, ] [ next/previous group, d drops a member")
            if let first = rows.first { return [.loadScene(first.sceneID)] }
        case .failure(let error):
            sayError(error.description)
        }
        return []
    }

    /// Moves to the first member of the group `offset` groups away.
    mutating func jumpDuplicateGroup(by offset: Int) -> [ExplorerEffect] {
        guard list.duplicateRows.indices.contains(list.duplicateCursor) else { return [] }
        let target = list.duplicateRows[list.duplicateCursor].group + offset
        guard let row = list.duplicateRows.firstIndex(where: { $0.group == target }) else { return [] }
        list.duplicateCursor = row
        clampScroll()
        return [.loadScene(list.duplicateRows[row].sceneID)]
    }

    /// Marks the member in focus as a dropped duplicate of the member its group keeps.
    mutating func dropFocusedDuplicate() -> [ExplorerEffect] {
        guard list.duplicateRows.indices.contains(list.duplicateCursor) else { return [] }
        let row = list.duplicateRows[list.duplicateCursor]
        guard !row.isKept else {
            say("\(row.sceneID) is the member its group keeps; drop another")
            return []
        }
        let mark = AnnotationMark(sceneID: row.sceneID, target: .scene, verdict: .wrong, note: "duplicate of \(row.keptID)")
        if sceneView.detail?.id == row.sceneID { marks.ofScene[.scene] = mark }
        say("dropped \(row.sceneID) as a duplicate of \(row.keptID) (a wrong mark; x removes it)")
        return [.setMark(mark)]
    }
}
