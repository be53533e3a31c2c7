import EmbeddingCache
import Explorer
import Foundation
import ScenarioModel
import SceneWorkspace
import Scenes
import Testing

/// The class view, the confusion heat map and the embedding map, driven by keys over the live backend (tiny dataset,
/// colour model) and rendered into a buffer.
@Suite struct InsightViewTests {
    struct Fixture {
        let live: LiveBackendTests.Fixture
        let session: ExplorerSession

        init(theme: String = "dark", size: GridSize = GridSize(columns: 110, rows: 30)) throws {
            live = try LiveBackendTests.Fixture()
            try live.index()
            session = try ExplorerSession(backend: live.backend, size: size, theme: try Theme.load(named: theme),
                                          pictureMode: .off, runsInBackground: false)
        }

        func type(_ keys: [Key]) { for key in keys { session.send(.key(key)) } }
        var text: String { session.frame().text }
    }

    @Test func classViewShowsCountsAndAccuracyAndEnterFilters() throws {
        let f = try Fixture()
        defer { f.live.remove() }
        f.type([.char("C")])
        let report = try #require(f.session.state.overlay.insight.report)
        let expected = try f.live.workspace.classReport(split: nil)
        #expect(report == expected)
        let text = f.text
        #expect(text.contains("Classes ·") && text.contains(" action ") && text.contains("top-1"))
        // Every action of the tiny dataset is annotated on two scenes.
        for action in ["dog chasing a ball", "person holding a cup", "cat sleeping on a chair"] {
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(" " + action) })
            let counts = try #require(report.level(.global)?.classes.first { $0.name == action }?.counts)
            #expect(line.contains(String(format: "%5d %5d %5d", counts["train"]!, counts["val"]!, counts["test"]!)), "\(line)")
            #expect(counts.values.reduce(0, +) == 2)
        }
        // Tab shows objects; Enter filters the scene list to the class under the cursor.
        f.type([.tab])
        #expect(f.session.state.overlay.insight.classLevel == .object)
        let first = try #require(f.session.state.overlay.insight.classRows.first)
        f.type([.enter])
        #expect(f.session.state.overlay.insight.view == nil)
        #expect(f.session.state.list.filter.text == "object:\"\(first.name)\"")
        let ids = f.session.state.list.visible.map { f.session.state.list.scenes[$0].id }
        let annotated = f.live.workspace.dataset.records.filter { $0.objects.contains { $0.name.contains(first.name) } }.map(\.id)
        #expect(ids == annotated && !ids.isEmpty)
        #expect(f.text.contains("filter: object:\"\(first.name)\""))
    }

    @Test func heatMapIsShadedInTheMonoTheme() throws {
        let f = try Fixture(theme: "mono")
        defer { f.live.remove() }
        f.type([.char("C"), .char("H")])
        #expect(f.session.state.overlay.insight.view == .heatMap)
        let text = f.text
        #expect(text.contains("Confusions ·") && text.contains("annotated ↓"))
        #expect(text.contains("shading: · none  ░ <10%"))
        let level = try #require(f.session.state.overlay.insight.report?.level(.global))
        let rows = f.session.state.overlay.insight.classRows
        // Each row's cells: the diagonal (top-1) and the off-diagonal confusions, shaded by their fraction.
        for (r, annotated) in rows.enumerated() {
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(String(String(format: "  %d %@", r + 1, annotated.name).prefix(24))) })
            let cells = Array(line.suffix(2 * rows.count))
            for (c, predicted) in rows.enumerated() {
                let count = r == c ? annotated.top1
                    : level.confusions.first { $0.annotated == annotated.name && $0.predicted == predicted.name }?.count ?? 0
                let shade = Array(ExplorerTestShade.of(Double(count) / Double(max(1, annotated.evaluated))))
                #expect(Array(cells[(2 * c)..<(2 * c + 2)]) == shade, "row \(annotated.name), column \(predicted.name)")
            }
        }
        // The cursor cell is reversed; moving it changes the description line.
        f.type([.right])
        #expect(f.text.contains(" \(rows[0].name) → \(rows[1].name): "))
        let grid = f.session.frame()
        let cursorRow = try #require((0..<grid.size.rows).first { grid.line($0).hasPrefix("  1 ") })
        let reversed = (0..<grid.size.columns).filter { grid[$0, cursorRow].style.reverse }
        #expect(reversed.count == 2)
    }

    @Test func mapViewDrawsBrailleAndListsTheSelection() throws {
        let f = try Fixture()
        defer { f.live.remove() }
        f.type([.char("V")])
        let points = try #require(f.session.state.overlay.insight.map.points)
        #expect(points.count == 6 && points.level == .global && points.computed)
        #expect(points.coordinates.allSatisfy { $0.isFinite })
        let text = f.text
        #expect(text.contains("Map · global") && text.contains("6 points · colour: class"))
        #expect(text.unicodeScalars.contains { $0.value > 0x2800 && $0.value <= 0x28FF })
        // A rectangle over the whole canvas selects every point; Enter lists them as results.
        let canvas = EmbeddingMapGeometry(size: f.session.state.size).canvas
        f.type([.home] + [Key](repeating: .char("H"), count: canvas.width / 8 + 2) + [Key](repeating: .char("K"), count: canvas.height / 4 + 2))
        f.type([.char("v")] + [Key](repeating: .char("L"), count: canvas.width / 8 + 2) + [Key](repeating: .char("J"), count: canvas.height / 4 + 2))
        #expect(f.session.state.mapSelection().count == 6)
        #expect(f.text.contains("Under the rectangle: 6"))
        f.type([.enter])
        #expect(f.session.state.list.mode == .results && f.session.state.list.results.count == 6)
        #expect(Set(f.session.state.list.results.map(\.sceneID)) == Set(f.live.workspace.dataset.records.map(\.id)))
        // Colour by split; then reopen: the map comes from the cache now.
        f.type([.char("V"), .tab])
        #expect(f.session.state.overlay.insight.map.colouring == .split)
        #expect(f.text.contains("● train"))
        let again = try f.live.backend.embeddingMap(level: .global)
        // Scenes i and i+3 share a picture (one cached vector, one stored point): the first three are as computed.
        #expect(!again.computed && again.count == 6)
        #expect(again.coordinates[0..<6] == points.coordinates[0..<6])
        #expect(again.coordinates[6..<12] == points.coordinates[0..<6])
        // Disagreement colouring ranks every point.
        f.type([.tab, .tab])
        #expect(f.session.state.overlay.insight.map.colouring == .disagreement)
        #expect(f.session.state.overlay.insight.map.disagreements?.count == 6)
    }
}

/// The heat map's shading of a fraction, written out independently of the renderer.
enum ExplorerTestShade {
    static func of(_ fraction: Double) -> String {
        if fraction <= 0 { return " ·" }
        if fraction < 0.1 { return "░░" }
        if fraction < 0.3 { return "▒▒" }
        if fraction < 0.6 { return "▓▓" }
        return "██"
    }
}
