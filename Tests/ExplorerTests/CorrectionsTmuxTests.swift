import Foundation
import Imaging
import Scenes
import Testing

/// The correction keys in the real `scenarioclip` binary inside tmux (the ``Tmux`` helper of the explorer's
/// end-to-end tests): change a class, move a box, undo a second move, quit, reopen (the corrections are there),
/// then `scenarioclip corrections apply` writes a corrected copy that has the changes.
@Suite(.serialized) struct CorrectionsTmuxTests {
    @Test(.timeLimit(.minutes(2)))
    func changeClassMoveBoxUndoQuitReopenApply() throws {
        let binary = try #require(Tmux.scenarioclipBinary(), "scenarioclip binary not found next to the test bundle; run 'swift build' first")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("scl-e2e-corr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: work) }
        let dataset = try TinyDataset.write(to: work.appendingPathComponent("tiny"))
        let cache = work.appendingPathComponent("cache.sqlite")
        let tmux = try Tmux(socket: "scl-e2e-corr-\(getpid())")
        defer { tmux.killServer() }

        let command = [binary.path, "explore", dataset.path, "--cache", cache.path, "--no-index"]
        try tmux.start(command)
        try tmux.waitFor("6/6 scenes", timeout: 60)
        try tmux.waitFor("Action: dog chasing a ball")
        // Objects pane, the dog: rename it with completion ("ca" + Tab is "cat").
        tmux.send("Tab")
        try tmux.waitFor("▸ dog  [8, 40, 60, 90]")
        tmux.send("e")
        try tmux.waitFor("class of object 0: dog")
        tmux.send("C-u")
        tmux.sendLiteral("ca")
        tmux.send("Tab")
        try tmux.waitFor("class of object 0: cat")
        tmux.send("Enter")
        try tmux.waitFor(#"stored: object 0 class "dog" → "cat""#)
        try tmux.waitFor("cat chasing ball")
        try tmux.waitFor("tiny-000 · 1 correction")

        // Move the box two steps (2 px each) right, live, then store it.
        tmux.send("b")
        try tmux.waitFor("box [8, 40, 60, 90] · ←↑↓→ move the box by 2 px")
        tmux.send("Right")
        tmux.send("Right")
        try tmux.waitFor("box [12, 40, 64, 90]")
        tmux.send("Enter")
        try tmux.waitFor("stored: object 0 box [8, 40, 60, 90] → [12, 40, 64, 90]")
        try tmux.waitFor("▸ cat  [12, 40, 64, 90]")
        // A second move (the bottom edge down), undone.
        tmux.send("b")
        try tmux.waitFor("move the box by 2 px")
        for _ in 0..<4 { tmux.send("Tab") }
        try tmux.waitFor("move the bottom edge by 2 px")
        tmux.send("Down")
        try tmux.waitFor("box [12, 40, 64, 92]")
        tmux.send("Enter")
        try tmux.waitFor("stored: object 0 box [12, 40, 64, 90] → [12, 40, 64, 92]")
        tmux.send("U")
        try tmux.waitFor("undone: object 0 box [12, 40, 64, 90] → [12, 40, 64, 92]")
        try tmux.waitFor("▸ cat  [12, 40, 64, 90]")
        try tmux.quit()

        // Reopened on the same cache: the scene is shown corrected.
        try tmux.start(command)
        try tmux.waitFor("6/6 scenes", timeout: 60)
        try tmux.waitFor("tiny-000 · 2 corrections")
        try tmux.waitFor("cat chasing ball")
        tmux.send("Tab")
        try tmux.waitFor("▸ cat  [12, 40, 64, 90]")
        try tmux.quit()

        // The corrected copy has the change; the source does not.
        let out = work.appendingPathComponent("corrected")
        try tmux.start([binary.path, "corrections", "apply", dataset.path, out.path, "--cache", cache.path])
        try tmux.waitFor("EXPLORE_EXIT=0", timeout: 60)
        let copy = try SceneDataset.load(from: out)
        let record = try #require(copy.record(id: "tiny-000"))
        #expect(record.objects.map(\.name) == ["cat", "ball"])
        #expect(record.objects[0].box == PixelBox(x1: 12, y1: 40, x2: 64, y2: 90))
        #expect(record.relations.map(\.text) == ["cat chasing ball"])
        #expect(copy.classes.objects.contains("cat"))
        #expect(copy.records.count == 6)
        let source = try SceneDataset.load(from: dataset)
        #expect(source.record(id: "tiny-000")?.objects.map(\.name) == ["dog", "ball"])
        for id in ["tiny-001", "tiny-002", "tiny-003", "tiny-004", "tiny-005"] {
            #expect(copy.record(id: id)?.objects == source.record(id: id)?.objects)
            #expect(copy.record(id: id)?.relations == source.record(id: id)?.relations)
        }
    }
}
