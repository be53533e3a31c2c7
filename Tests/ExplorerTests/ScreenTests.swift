import Explorer
import Foundation
import Testing

@Suite struct ScreenTests {
    @Test func tooSmallTerminalShowsAMessageAndRecoversOnResize() throws {
        let h = try Harness()
        h.session.send(.resize(GridSize(columns: 50, rows: 12)))
        #expect(h.state.isTooSmall)
        #expect(h.frame.size == GridSize(columns: 50, rows: 12))
        #expect(h.text.contains("Terminal too small"))
        #expect(h.text.contains("50x12, need at least 60x16"))
        h.session.send(.resize(GridSize(columns: 70, rows: 20)))
        #expect(!h.text.contains("too small"))
        #expect(h.text.contains("Action: dog chasing a ball"))
        #expect(h.frame.size == GridSize(columns: 70, rows: 20))
    }

    /// At 20×5 (and smaller) the message is reworded to fit instead of being cut off, and still says the size needed.
    @Test func tooSmallMessageFitsTinyTerminals() throws {
        let h = try Harness()
        h.session.send(.resize(GridSize(columns: 20, rows: 5)))
        #expect(h.text.contains("Terminal too small"))
        #expect(h.text.contains("need at least 60x16"))
        #expect(h.text.contains("q quits"))
        h.session.send(.resize(GridSize(columns: 12, rows: 2)))
        #expect(h.text.contains("need 60x16"))
        #expect(h.text.contains("Too small"))
        h.session.send(.resize(GridSize(columns: 6, rows: 1)))
        #expect(h.text.contains("60x16"))
    }

    @Test func resizeKeepsTheCursorRowOnScreen() throws {
        let h = try Harness(sceneCount: 50, size: GridSize(columns: 100, rows: 40))
        for _ in 0..<30 { h.type("j") }
        #expect(h.rows(containing: "scene-030 ").count >= 1)
        h.session.send(.resize(GridSize(columns: 80, rows: 18)))
        let rows = h.rows(containing: "scene-030 ")
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0 < 16 })
    }

    @Test func helpOverlayOpensWithQuestionMarkAndAnyKeyClosesIt() throws {
        let h = try Harness()
        h.type("?")
        #expect(h.state.overlay.helpVisible)
        #expect(h.text.contains("Help"))
        #expect(h.text.contains("more like this"))
        h.type("j")  // closes the overlay without moving
        #expect(!h.state.overlay.helpVisible)
        #expect(h.state.sceneView.detail?.id == "scene-000")
        #expect(!h.text.contains("more like this"))
    }

    @Test func quitIsAnEffect() throws {
        let h = try Harness()
        #expect(!h.session.quitRequested)
        h.type("/q")  // typed into the query line, not a quit
        #expect(!h.session.quitRequested)
        h.type("⎋q")
        #expect(h.session.quitRequested)
    }

    @Test func indexingProgressShowsAndFinishes() throws {
        let h = try Harness()
        var state = h.state
        _ = state.handle(.indexProgress(IndexProgress(done: 3, total: 12)))
        #expect(ExplorerRenderer.render(state).text.contains("indexing 3/12 25% (X cancels)"))
        _ = state.handle(.indexProgress(IndexProgress(done: 12, total: 12, finished: true)))
        #expect(state.overlay.indexing == nil)
        #expect(state.backendStatus.indexed)
        h.backend.indexed = false
        h.session.startIndexing()
        #expect(h.state.overlay.indexing == nil)
        #expect(h.state.overlay.message == "indexing finished: 4 items")
        #expect(h.state.backendStatus.indexed)
    }

    @Test func nothingToIndexSaysUpToDate() throws {
        let h = try Harness()
        var state = h.state
        _ = state.handle(.indexProgress(IndexProgress(done: 0, total: 0, finished: true)))
        #expect(state.overlay.message == "index already up to date")
        #expect(state.backendStatus.indexed)
    }

    /// A backend that finishes with failures says so; the explorer shows its message, not "finished".
    @Test func indexingFailuresReachTheStatusLine() throws {
        let h = try Harness()
        h.backend.indexFailureMessage = "2 item(s) could not be embedded: images/x.jpg: truncated JPEG"
        h.session.startIndexing()
        #expect(h.state.overlay.indexing == nil)
        #expect(h.state.overlay.message == "2 item(s) could not be embedded: images/x.jpg: truncated JPEG")
        #expect(!h.state.backendStatus.indexed)
    }

    /// The zero-shot view open while indexing is ranked again once indexing finishes.
    @Test func zeroShotViewRefreshesWhenIndexingFinishes() throws {
        let h = try Harness()
        h.press(.char("z"))
        let before = h.backend.zeroShotCalls
        #expect(before >= 1)
        h.session.startIndexing()
        #expect(h.backend.zeroShotCalls == before + 1)
        #expect(h.state.sceneView.zeroShot?.sceneID == h.state.sceneView.detail?.id)
    }

    @Test func mainScreenSnapshot() throws {
        let h = try Harness(sceneCount: 4, size: GridSize(columns: 100, rows: 24))
        h.press(.tab)
        let expected = """
             ScenarioCLIP explorer · fake · 4/4 scenes · sort: dataset order        model: fake-model · indexed
             Scenes                       │                                     │ scene-000
             scene-000 dog chasing a ball │·····································│ Action: dog chasing a ball
             scene-001 person holding a cu│·····································│ A synthetic scene number 0
             scene-002 cat sleeping on a c│·····································│ where a dog chasing a ball.
             scene-003 dog chasing a ball │·····································│ tags: train
                                          │·····································│
                                          │·····································│ Objects (2)
                                          │·····································│ ▸ dog  [10, 60, 90, 120]
                                          │··┌dog──────────────┐················│   ball
                                          │··│·················│················│
                                          │··│·················│················│ Relations (1)
                                          │··│·················│······┌ball──┐··│   dog chasing ball
                                          │··│·················│······│······│··│
                                          │··│·················│······│······│··│
                                          │··│·················│······│······│··│
                                          │··└─────────────────┘······└──────┘··│
                                          │·····································│
                                          │·····································│
                                          │·····································│
                                          │·····································│
                                          │                                     │

             ?:help /:query f:filter s:sort Tab:pane z:zero-shot c/x/u:mark n:note m:more R:review M:marks q:qui
            """
        #expect(h.text == expected)
    }
}

@Suite struct ThemeTests {
    @Test(arguments: ["dark", "light", "mono"])
    func bundledThemesParseAndCoverEveryRole(name: String) throws {
        let theme = try Theme.load(named: name)
        #expect(theme.name == name)
        for role in ThemeRole.allCases { #expect(theme.styles[role] != nil, "\(name) lacks \(role.rawValue)") }
    }

    @Test func monoThemeUsesNoColours() throws {
        let theme = try Theme.load(named: "mono")
        for style in theme.styles.values {
            #expect(style.foreground == .terminalDefault && style.background == .terminalDefault)
        }
    }

    @Test func badThemeLinesNameFileLineAndWord() {
        #expect(throws: ExplorerError.theme(path: "t.theme", line: 2, message: "unknown colour or attribute 'purpleish'")) {
            try Theme(parsing: "normal = default default\ntitle = purpleish default\n", name: "t", source: "t.theme")
        }
        #expect(throws: ExplorerError.theme(path: "t.theme", line: 1, message: "expected 'role = fg bg [attributes]'")) {
            try Theme(parsing: "title black\n", name: "t", source: "t.theme")
        }
        #expect(throws: ExplorerError.self) { try Theme(parsing: "titel = black white", name: "t", source: "t.theme") }
        #expect(throws: ExplorerError.self) { try Theme.load(named: "no-such-theme") }
    }

    @Test func coloursParse() throws {
        let theme = try Theme(parsing: "title = #ff8000 bright-blue bold underline\nbox = 208 default", name: "t", source: "t")
        #expect(theme[.title] == CellStyle(foreground: .rgb(255, 128, 0), background: .indexed(12), bold: true, underline: true))
        #expect(theme[.box].foreground == .indexed(208))
        #expect(theme[.heading] == theme[.normal])
    }
}
