import Explorer
import Foundation
import Testing

@Suite struct NavigationTests {
    @Test func opensOnTheFirstSceneAndMovesWithViAndArrowKeys() throws {
        let h = try Harness()
        #expect(h.state.sceneView.detail?.id == "scene-000")
        h.type("j")
        #expect(h.state.sceneView.detail?.id == "scene-001")
        h.press(.down)
        #expect(h.state.sceneView.detail?.id == "scene-002")
        h.type("k")
        #expect(h.state.sceneView.detail?.id == "scene-001")
        h.type("G")
        #expect(h.state.sceneView.detail?.id == "scene-004")
        h.type("j")  // stays on the last scene
        #expect(h.state.sceneView.detail?.id == "scene-004")
        h.type("g")
        #expect(h.state.sceneView.detail?.id == "scene-000")
        #expect(h.text.contains("Action: dog chasing a ball"))
    }

    @Test func tabWalksObjectsAndRelationsAndHighlightsTheirBoxes() throws {
        let h = try Harness()
        h.press(.tab)
        #expect(h.state.sceneView.focus == .objects)
        #expect(h.text.contains("▸ dog"))
        h.type("j")
        #expect(h.state.sceneView.objectCursor == 1)
        #expect(h.text.contains("▸ ball"))
        // The selected object's box is drawn in the selected-box style, the other in the plain box style.
        let theme = h.state.theme
        let frame = h.frame
        let layout = ExplorerLayout(size: h.state.size)
        let detail = try #require(h.state.sceneView.detail)
        let geometry = try #require(PictureGeometry(area: layout.picture, imageWidth: 160, imageHeight: 160, cellAspect: 0.5))
        let ball = geometry.cells(for: detail.objects[1].box)
        let dog = geometry.cells(for: detail.objects[0].box)
        #expect(frame[ball.x, ball.y].style == theme[.boxSelected])
        #expect(frame[ball.x, ball.y].text == "┌")
        #expect(frame[dog.x, dog.y].style.foreground == theme[.box].foreground)
        h.press(.tab)
        #expect(h.state.sceneView.focus == .relations)
        // A relation highlights both its subject and its object.
        let relationFrame = h.frame
        #expect(relationFrame[ball.x, ball.y].style == theme[.boxSelected])
        #expect(relationFrame[dog.x, dog.y].style == theme[.boxSelected])
        // …and outlines its focused region (the union of both boxes) beneath them.
        let region = geometry.cells(for: try #require(detail.relations[0].region))
        #expect(relationFrame[region.maxX - 1, region.y].text == "┐")
        #expect(relationFrame[region.maxX - 1, region.y].style.foreground == theme[.hint].foreground)
        h.press(.escape)
        #expect(h.state.sceneView.focus == .list)
    }

    @Test func listScrollsToKeepTheCursorVisible() throws {
        let h = try Harness(sceneCount: 60, size: GridSize(columns: 80, rows: 20))
        for _ in 0..<40 { h.type("j") }
        #expect(h.state.list.sceneCursor == 40)
        #expect(h.rows(containing: "scene-040").count == 2)  // list row and the info heading
        h.press(.pageUp)
        #expect(h.state.list.sceneCursor == 40 - 15)
        #expect(h.text.contains("scene-025"))
    }

    @Test func mouseClickSelectsASceneAndABox() throws {
        let h = try Harness()
        let layout = ExplorerLayout(size: h.state.size)
        h.session.send(.mouse(column: 3, row: layout.list.y + 1 + 3, .click))
        #expect(h.state.sceneView.detail?.id == "scene-003")
        let detail = try #require(h.state.sceneView.detail)
        let geometry = try #require(PictureGeometry(area: layout.picture, imageWidth: 160, imageHeight: 160, cellAspect: 0.5))
        let cup = geometry.cells(for: detail.objects[1].box)
        h.session.send(.mouse(column: cup.x + cup.width / 2, row: cup.y + cup.height / 2, .click))
        #expect(h.state.sceneView.focus == .objects)
        #expect(h.state.sceneView.objectCursor == 1)
        h.session.send(.mouse(column: 3, row: 5, .wheelDown))
        #expect(h.state.sceneView.focus == .objects)
    }

    @Test func sortCyclesAndFilterNarrowsTheList() throws {
        let h = try Harness(sceneCount: 9)
        h.type("s")
        #expect(h.state.list.sort == .id)
        h.type("s")
        #expect(h.state.list.sort == .action)
        #expect(h.state.list.scenes[h.state.list.visible[0]].action == "cat sleeping on a chair")
        #expect(h.state.cursorScene?.id == "scene-000")  // the cursor stays on its scene
        h.type("ss")
        #expect(h.state.list.sort == .dataset)

        h.type("fobject:cup")
        #expect(h.state.list.visible.count == 3)
        #expect(h.state.sceneView.detail?.id == "scene-001")
        #expect(h.text.contains("filter: object:cup"))
        h.press(.enter)
        #expect(h.state.query.input == nil)
        #expect(h.state.overlay.message == "3 of 9 scenes match")
        // Esc while editing restores the previous filter.
        h.type("f")
        h.press(.ctrl("u"))
        h.type("relation:\"cat on\"")
        #expect(h.state.list.visible.count == 3)
        #expect(h.state.cursorScene?.action == "cat sleeping on a chair")
        h.press(.escape)
        #expect(h.state.list.filter.text == "object:cup")
        h.type("f")
        h.press(.ctrl("u"))
        #expect(h.state.list.visible.count == 9)
        h.type("tag:test chasing⏎")
        #expect(h.state.list.visible.map { h.state.list.scenes[$0].id } == ["scene-003"])
    }
}
