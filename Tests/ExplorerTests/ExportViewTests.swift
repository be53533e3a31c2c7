import Explorer
import Foundation
import Scenes
import SceneWorkspace
import Testing

/// `E` over the live backend: the list in view (filtered scenes, the marks list, query results) written as a
/// reference-format dataset into the folder typed in the export line.
@Suite struct ExportViewTests {
    /// Types `text` into the open input line after clearing it, then presses Enter.
    static func enter(_ text: String, in f: InsightViewTests.Fixture) {
        f.type([.ctrl("u")] + text.map { Key.char($0) } + [.enter])
    }

    @Test func exportsTheFilteredListAndRefusesAFolderThatIsNotEmpty() throws {
        let f = try InsightViewTests.Fixture()
        defer { f.live.remove() }
        f.type([.char("f")] + "object:cup".map { Key.char($0) } + [.enter])
        let visible = f.session.state.list.visible.map { f.session.state.list.scenes[$0].id }
        #expect(visible == ["tiny-001", "tiny-004"])

        f.type([.char("E")])
        let line = try #require(f.session.state.query.input)
        #expect(line.kind == .export)
        let dataset = f.live.workspace.dataset.root.standardizedFileURL
        #expect(line.text == dataset.path + "-export")
        #expect(f.text.contains("export 2 scene(s) to folder: "))

        let out = f.live.root.appendingPathComponent("cups")
        Self.enter(out.path, in: f)
        #expect(f.session.state.overlay.message == "exported 2 scene(s) to \(out.path)")
        let written = try SceneDataset.load(from: out)
        #expect(written.records.map(\.id) == visible)
        for record in written.records {
            let source = try #require(f.live.workspace.dataset.record(id: record.id))
            #expect(record.imageFile == source.imageFile)
            #expect(record.objects == source.objects && record.relations == source.relations && record.action == source.action)
        }

        // The same folder again: refused, nothing changed.
        f.type([.char("E")])
        Self.enter(out.path, in: f)
        let message = try #require(f.session.state.overlay.message)
        #expect(f.session.state.overlay.messageIsError)
        #expect(message.contains("export failed") && message.contains("exists and is not empty"), "\(message)")
        #expect(try SceneDataset.load(from: out).records.map(\.id) == visible)
        // Esc closes the line without exporting.
        f.type([.char("E"), .escape])
        #expect(f.session.state.query.input == nil)
    }

    @Test func exportsTheMarksListAndQueryResultsInTheirOrder() throws {
        let f = try InsightViewTests.Fixture()
        defer { f.live.remove() }
        // A wrong mark on the first scene, an unsure one on the third's first object, then the marks list.
        f.type([.char("x"), .char("j"), .char("j"), .tab, .char("u"), .char("h"), .char("M")])
        #expect(f.session.state.list.mode == .marks)
        #expect(f.session.state.marks.all.map(\.sceneID) == ["tiny-000", "tiny-002"])
        let marked = f.live.root.appendingPathComponent("marked")
        f.type([.char("E")])
        Self.enter(marked.path, in: f)
        #expect(try SceneDataset.load(from: marked).records.map(\.id) == ["tiny-000", "tiny-002"])

        // Object-level results: several hits per scene, each scene exported once, best first.
        f.type([.escape, .char("/")] + "yellow".map { Key.char($0) } + [.tab, .enter])
        #expect(f.session.state.query.scope == .object)
        let hits = f.session.state.list.results.map(\.sceneID)
        #expect(!hits.isEmpty)
        var seen = Set<String>()
        let expected = hits.filter { seen.insert($0).inserted }
        #expect(f.session.state.sceneIDsInView == expected)
        let results = f.live.root.appendingPathComponent("results")
        f.type([.char("E")])
        Self.enter(results.path, in: f)
        #expect(f.session.state.overlay.message == "exported \(expected.count) scene(s) to \(results.path)")
        #expect(try SceneDataset.load(from: results).records.map(\.id) == expected)
    }

    @Test func backendsWithoutADatasetSayWhy() throws {
        let h = try Harness()
        h.type("E")
        #expect(h.state.query.input?.kind == .export)
        h.press(.enter)
        #expect(h.text.contains("export failed: this dataset view cannot export scenes"))
    }
}
