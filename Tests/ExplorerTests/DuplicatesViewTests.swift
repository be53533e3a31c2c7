import EmbeddingCache
import Explorer
import Foundation
import SceneWorkspace
import Testing

/// The duplicates list (`W`) over the live backend: the tiny dataset's scenes i and i+3 share their pictures, so
/// they form exact groups of two.
@Suite struct DuplicatesViewTests {
    @Test func listsTheWorkspacesGroupsWalksThemAndDropsAMember() throws {
        let f = try InsightViewTests.Fixture()
        defer { f.live.remove() }
        f.type([.char("W")])
        let state = f.session.state
        #expect(state.list.mode == .duplicates)
        let report = try f.live.workspace.duplicates()
        #expect(state.list.duplicateRows == DuplicateRow.rows(of: report))
        let exact = report.groups.filter { $0.kind == .exact }
        #expect(exact.map(\.ids) == [["tiny-000", "tiny-003"], ["tiny-001", "tiny-004"], ["tiny-002", "tiny-005"]])
        let leaks = report.groups.filter(\.isLeak).count
        #expect(f.text.contains("Duplicates (\(report.groups.count) groups, \(leaks) leaks)"))
        let first = state.list.duplicateRows[0], second = state.list.duplicateRows[1]
        #expect(first.group == second.group && first.isKept && !second.isKept)
        #expect(state.sceneView.detail?.id == first.sceneID)
        #expect(f.text.contains("exact 1.000 ● \(first.sceneID) \(first.split)"))
        #expect(f.text.contains("○ \(second.sceneID) \(second.split)"))

        // The kept member is not dropped; the next one is, as a wrong mark naming the member kept.
        f.type([.char("d")])
        #expect(try f.live.backend.marks(sceneID: first.sceneID).isEmpty)
        #expect(f.text.contains("is the member its group keeps"))
        f.type([.char("j")])
        #expect(f.session.state.sceneView.detail?.id == second.sceneID)
        f.type([.char("d")])
        #expect(try f.live.backend.marks(sceneID: second.sceneID).said
            == [AnnotationMark(sceneID: second.sceneID, target: .scene, verdict: .wrong, note: "duplicate of \(first.sceneID)").said])

        // ] and [ jump between groups' first members.
        f.type([.char("]")])
        let third = f.session.state.list.duplicateRows[2]
        #expect(f.session.state.list.duplicateCursor == 2 && third.group == 1)
        #expect(f.session.state.sceneView.detail?.id == third.sceneID)
        f.type([.char("["), .char("[")])
        #expect(f.session.state.list.duplicateCursor == 0)
    }

    @Test func backendsWithoutAnIndexSayWhy() throws {
        let h = try Harness()
        h.type("W")
        #expect(h.state.list.mode == .scenes)
        #expect(h.text.contains("duplicate groups need a model and an index"))
    }
}
