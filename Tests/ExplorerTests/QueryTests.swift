import Explorer
import Foundation
import Testing

@Suite struct QueryTests {
    @Test func resultsFollowTheQueryAsYouType() throws {
        let h = try Harness(sceneCount: 6)
        h.type("/")
        #expect(h.state.list.mode == .results)
        h.type("cup")
        #expect(h.backend.searchCalls.map(\.text) == ["c", "cu", "cup"])
        #expect(h.state.list.results.map(\.sceneID) == ["scene-001", "scene-004"])
        #expect(h.text.contains("/cup"))
        #expect(h.text.contains("0.900 scene-001 person holdin"))
        h.type("⌫⌫⌫dog")
        #expect(h.state.list.results.map(\.sceneID) == ["scene-000", "scene-003"])
        // Ctrl-W deletes the word, cursor keys edit in the middle.
        h.press(.ctrl("w"))
        #expect(h.state.query.text == "")
        #expect(h.state.list.results.isEmpty)
        h.type("cat")
        h.press(.left)
        h.press(.left)
        h.type("h")
        #expect(h.state.query.text == "chat")
        h.press(.ctrl("a"))
        h.press(.delete)
        h.press(.ctrl("e"))
        h.press(.backspace)
        #expect(h.state.query.text == "ha")
    }

    @Test func tabCyclesTheLevelAndEnterJumpsToTheHitRegion() throws {
        let h = try Harness(sceneCount: 6)
        h.type("/ball⇥")
        #expect(h.state.query.scope == .object)
        #expect(h.backend.searchCalls.last == QueryRequest(text: "ball", scope: .object))
        #expect(h.text.contains("[object]"))
        h.press(.enter)
        #expect(h.state.query.input == nil)
        #expect(h.state.sceneView.detail?.id == "scene-000")
        #expect(h.state.sceneView.hitRegion == h.state.sceneView.detail?.objects[1].box)
        #expect(h.state.sceneView.objectCursor == 1)
        h.type("j")
        #expect(h.state.sceneView.detail?.id == "scene-003")
        // Esc goes back to the scene list, dropping the highlight.
        h.press(.escape)
        #expect(h.state.list.mode == .scenes)
        #expect(h.state.sceneView.hitRegion == nil)
    }

    @Test func aFailingQueryShowsItsError() throws {
        let h = try Harness()
        h.type("/!x")
        #expect(h.state.list.results.isEmpty)
        #expect(h.text.contains("query: cannot parse '!x'"))
    }

    @Test func moreLikeThisListsScenesWithTheSameAction() throws {
        let h = try Harness(sceneCount: 7)
        h.type("m")
        #expect(h.state.list.mode == .results)
        #expect(h.state.list.results.map(\.sceneID) == ["scene-003", "scene-006"])
        #expect(h.text.contains("more like scene-000"))
    }

    @Test func backgroundSearchKeepsOnlyTheNewestResult() throws {
        let backend = FakeExplorerBackend(sceneCount: 6)
        backend.searchDelay = 0.05
        let session = try ExplorerSession(backend: backend, size: GridSize(columns: 100, rows: 30),
            theme: try Theme.load(named: "dark"), pictureMode: .off, runsInBackground: true)
        session.send(.key(.char("/")))
        let start = Date()
        for c in "person" { session.send(.key(.char(c))) }
        // Typing never waits for the search (six searches in a row would take at least 0.3 s).
        #expect(Date().timeIntervalSince(start) < 0.25)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            session.drainInbox()
            if !session.state.query.inFlight { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(!session.state.query.inFlight)
        #expect(session.state.list.results.map(\.label) == ["person holding a cup", "person holding a cup"])
        // While the first search ran, the intermediate ones were dropped: far fewer than six calls.
        #expect(backend.searchCalls.count <= 3)
        #expect(backend.searchCalls.last?.text == "person")
    }
}
