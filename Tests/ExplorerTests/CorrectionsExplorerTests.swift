import EmbeddingCache
import Explorer
import Foundation
import Imaging
import SceneWorkspace
import Scenes
import Testing

/// Correction keys in a session over the live backend (tiny dataset, colour model, cache on disk): each
/// correction is stored in the cache as it is made and the scene is shown corrected; undo / redo; boxes moved
/// from the keyboard and drawn with the mouse; the zero-shot view and review queue see corrected labels.
@Suite struct CorrectionsExplorerTests {
    struct Fixture {
        let live: LiveBackendTests.Fixture
        let session: ExplorerSession

        init() throws {
            live = try LiveBackendTests.Fixture()
            session = try ExplorerSession(backend: live.backend, size: GridSize(columns: 120, rows: 40),
                theme: try Theme.load(named: "dark"), pictureMode: .off, runsInBackground: false)
        }

        var state: ExplorerState { session.state }
        var detail: SceneDetail? { session.state.sceneView.detail }

        func press(_ keys: Key...) { for key in keys { session.send(.key(key)) } }
        func type(_ text: String) { for c in text { session.send(.key(.char(c))) } }
        func stored() throws -> [SceneCorrection] { try live.backend.cache.allCorrections() }

        /// Clicks the picture cell nearest to pixel (`x`, `y`).
        func click(x: Int, y: Int) throws { try mouse(.click, x: x, y: y) }

        /// Sends a mouse `action` at the picture cell nearest to pixel (`x`, `y`).
        func mouse(_ action: MouseAction, x: Int, y: Int) throws {
            let d = try #require(detail)
            let geometry = try #require(PictureGeometry(area: ExplorerLayout(size: state.size).picture, imageWidth: d.imageWidth,
                                                        imageHeight: d.imageHeight, cellAspect: state.sceneView.cellAspect))
            var best: (Int, Int, Int)?
            for row in geometry.frame.y..<(geometry.frame.y + geometry.frame.height) {
                for column in geometry.frame.x..<(geometry.frame.x + geometry.frame.width) {
                    guard let (px, py) = geometry.pixel(column: column, row: row) else { continue }
                    let distance = abs(px - x) + abs(py - y)
                    if best == nil || distance < best!.2 { best = (column, row, distance) }
                }
            }
            let (column, row, _) = try #require(best)
            session.send(.mouse(column: column, row: row, action))
        }
    }

    @Test func labelsBoxesUndoRedoDeleteAndAdd() throws {
        let f = try Fixture()
        defer { f.live.remove() }
        #expect(f.detail?.id == "tiny-000")
        #expect(f.state.marks.classes == ClassLists())  // read when the first correction line opens

        // Rename the dog with completion from classes.json: "ca" + Tab is "cat".
        f.press(.tab)
        #expect(f.state.sceneView.focus == .objects && f.state.sceneView.objectCursor == 0)
        f.type("e")
        #expect(f.state.query.input?.text == "dog")
        #expect(f.state.marks.classes.objects == ["ball", "cat", "chair", "cup", "dog", "person"])
        #expect(f.state.marks.classes.predicates == ["chasing", "holding", "on"])
        f.press(.ctrl("u"))
        f.type("c")
        f.press(.tab)
        #expect(f.state.query.input?.text == "cat")  // the first class starting with "c"
        f.press(.tab)
        #expect(f.state.query.input?.text == "chair")  // the next one
        f.press(.ctrl("u"))
        f.type("ca")
        f.press(.tab, .enter)
        #expect(f.detail?.objects.map(\.name) == ["cat", "ball"])
        #expect(f.detail?.relations.map(\.text) == ["cat chasing ball"])
        #expect(f.state.scene(id: "tiny-000")?.objects == ["cat", "ball"])
        #expect(f.state.overlay.message == #"stored: object 0 class "dog" → "cat"  (U undoes)"#)
        #expect(try f.stored().map(\.summary) == [#"object 0 class "dog" → "cat""#])

        // Move the box: step 2 px (a 50th of 120), doubled by +; two steps right, then the left edge one step left.
        f.type("b")
        #expect(f.state.marks.boxEdit?.box == PixelBox(x1: 8, y1: 40, x2: 60, y2: 90) && f.state.marks.boxEdit?.step == 2)
        f.type("+")
        f.press(.right, .right)
        #expect(f.state.marks.boxEdit?.box == PixelBox(x1: 16, y1: 40, x2: 68, y2: 90))
        // Drawn live in place of the object's own box.
        let drawn = ExplorerRenderer.pictureBoxes(f.state, try #require(f.detail))
        #expect(drawn.last?.box == PixelBox(x1: 16, y1: 40, x2: 68, y2: 90))
        #expect(!drawn.contains { $0.box == PixelBox(x1: 8, y1: 40, x2: 60, y2: 90) })
        f.press(.tab, .left)
        #expect(f.state.marks.boxEdit?.edge == .left && f.state.marks.boxEdit?.box == PixelBox(x1: 12, y1: 40, x2: 68, y2: 90))
        // The box never leaves the picture.
        f.press(.tab, .tab)
        for _ in 0..<30 { f.press(.right) }
        #expect(f.state.marks.boxEdit?.edge == .right && f.state.marks.boxEdit?.box.x2 == 120)
        for _ in 0..<30 { f.press(.left) }
        #expect(f.state.marks.boxEdit?.box == PixelBox(x1: 12, y1: 40, x2: 13, y2: 90))
        f.press(.escape)
        #expect(f.state.marks.boxEdit == nil && f.detail?.objects[0].box == PixelBox(x1: 8, y1: 40, x2: 60, y2: 90))
        #expect(try f.stored().count == 1)
        f.type("b+")
        f.press(.right, .right, .tab, .left, .enter)
        #expect(f.detail?.objects[0].box == PixelBox(x1: 12, y1: 40, x2: 68, y2: 90))
        #expect(try f.stored().last?.summary == "object 0 box [8, 40, 60, 90] → [12, 40, 68, 90]")

        // Undo, redo.
        f.type("U")
        #expect(f.detail?.objects[0].box == PixelBox(x1: 8, y1: 40, x2: 60, y2: 90))
        #expect(try f.stored().count == 1 && f.state.marks.redoStack.count == 1)
        #expect(f.state.overlay.message?.hasPrefix("undone: object 0 box") == true)
        f.press(.ctrl("r"))
        #expect(f.detail?.objects[0].box == PixelBox(x1: 12, y1: 40, x2: 68, y2: 90))
        #expect(try f.stored().count == 2 && f.state.marks.redoStack.isEmpty)
        f.press(.ctrl("r"))
        #expect(f.state.overlay.message == "nothing to redo in this scene")

        // The relation's triple, then delete it.
        f.press(.tab)
        #expect(f.state.sceneView.focus == .relations)
        f.type("e")
        #expect(f.state.query.input?.text == "cat, chasing, ball")
        f.press(.ctrl("u"))
        f.type("cat, h")
        f.press(.tab)
        #expect(f.state.query.input?.text == "cat, holding")  // predicates complete in the middle part
        f.type(", ball")
        f.press(.enter)
        #expect(f.detail?.relations.map(\.text) == ["cat holding ball"])
        f.type("e")
        f.press(.ctrl("u"))
        f.type("cat, ball")
        f.press(.enter)
        #expect(f.state.overlay.messageIsError && f.state.overlay.message?.contains("three parts") == true)
        #expect(f.detail?.relations.map(\.text) == ["cat holding ball"])
        f.press(.escape)
        f.type("D")
        #expect(f.detail?.relations.isEmpty == true && f.state.sceneView.focus == .list)

        // Add an object: A, two clicks draw its box, Enter, its class.
        f.type("A")
        #expect(f.state.marks.boxEdit?.objectIndex == nil)
        try f.click(x: 20, y: 15)
        try f.click(x: 110, y: 100)
        let drawnBox = try #require(f.state.marks.boxEdit?.box)
        #expect(abs(drawnBox.x1 - 20) <= 3 && abs(drawnBox.y1 - 15) <= 3 && abs(drawnBox.x2 - 111) <= 3 && abs(drawnBox.y2 - 101) <= 3, "\(drawnBox)")
        f.press(.enter)
        f.type("person")
        f.press(.enter)
        #expect(f.detail?.objects.map(\.name) == ["cat", "ball", "person"])
        #expect(f.detail?.objects[2].box == drawnBox)

        // The action, from the list.
        f.type("e")
        f.press(.ctrl("u"))
        f.type("cat playing with a ball")
        f.press(.enter)
        #expect(f.detail?.action == "cat playing with a ball")
        #expect(try f.stored().map(\.kind) == [.objectClass, .objectBox, .relation, .deleteRelation, .addObject, .action])

        // Another scene keeps its own; a new backend over the same cache shows every correction.
        f.press(.down)
        #expect(f.detail?.id == "tiny-001" && f.detail?.objects.map(\.name) == ["person", "cup"])
        let again = try LiveExplorerBackend(workspace: f.live.workspace, modelName: "colours")
        let reopened = try again.detail(sceneID: "tiny-000")
        #expect(reopened.action == "cat playing with a ball" && reopened.objects.map(\.name) == ["cat", "ball", "person"])
        #expect(try again.scenes().first?.objects == ["cat", "ball", "person"])
        // The source metadata is untouched.
        #expect(try SceneDataset.load(from: f.live.workspace.dataset.root).record(id: "tiny-000")?.objects.map(\.name) == ["dog", "ball"])
    }

    @Test func aDragOverThePictureDrawsTheBox() throws {
        let f = try Fixture()
        defer { f.live.remove() }
        f.type("A")
        #expect(f.state.marks.boxEdit?.box == PixelBox(x1: 45, y1: 45, x2: 75, y2: 75))
        // Pressed at (100, 90), dragged up-left, released at (30, 20): the box spans both, whichever way.
        try f.mouse(.click, x: 100, y: 90)
        try f.mouse(.release, x: 30, y: 20)
        let box = try #require(f.state.marks.boxEdit?.box)
        #expect(abs(box.x1 - 30) <= 3 && abs(box.y1 - 20) <= 3 && abs(box.x2 - 101) <= 3 && abs(box.y2 - 91) <= 3, "\(box)")
        // A release where the button went down (a click) keeps the nearest-corner move.
        try f.mouse(.click, x: 110, y: 110)
        try f.mouse(.release, x: 110, y: 110)
        let clicked = try #require(f.state.marks.boxEdit?.box)
        #expect(clicked.x1 == box.x1 && clicked.y1 == box.y1 && abs(clicked.x2 - 111) <= 3 && abs(clicked.y2 - 111) <= 3, "\(clicked)")
        f.press(.enter)
        f.type("lamp")
        f.press(.enter)
        #expect(f.detail?.objects.last == ObjectAnnotation(name: "lamp", box: clicked))
        #expect(try f.stored().last?.change == .addObject(name: "lamp", box: clicked))
        // Outside a box edit a release does nothing.
        try f.mouse(.release, x: 10, y: 10)
        #expect(f.state.marks.boxEdit == nil && f.detail?.objects.count == 3)

        // While a box is edited the wheel and clicks on the list leave the scene as it is.
        f.type("A")
        f.session.send(.mouse(column: 3, row: 5, .wheelDown))
        f.session.send(.mouse(column: 3, row: 4, .click))
        #expect(f.detail?.id == "tiny-000" && f.state.marks.boxEdit != nil)
        // A scene shown by background work (the review queue arriving) ends the edit.
        f.session.send(.reviewQueueLoaded(.success(["tiny-002"])))
        #expect(f.detail?.id == "tiny-002" && f.state.marks.boxEdit == nil)
        #expect(f.state.overlay.message == "box edit of tiny-000 cancelled: another scene is shown")
        #expect(try f.stored().count == 1)
    }

    @Test func zeroShotAndReviewQueueSeeCorrectedLabels() throws {
        let f = try Fixture()
        defer { f.live.remove() }
        try f.live.index()
        let backend = f.live.backend
        let before = try backend.zeroShot(sceneID: "tiny-001")
        #expect(before.disagreements == 0)
        #expect(try !backend.reviewQueue(limit: 10).contains("tiny-001"))

        // A class the model cannot rank (not in classes.json) disagrees; deleting the cup drops its item.
        _ = try backend.correct(sceneID: "tiny-001", change: .objectClass(index: 0, name: "zebra"))
        let after = try backend.zeroShot(sceneID: "tiny-001")
        #expect(after.items(.object).map(\.annotated) == ["zebra", "cup"])
        #expect(after.items(.object)[0].agrees == false
                && after.items(.object)[0].ranking.map(\.label) == before.items(.object)[0].ranking.map(\.label))
        #expect(after.items(.relation).map(\.annotated) == ["zebra holding cup"])
        #expect(try backend.reviewQueue(limit: 10).first == "tiny-001")
        _ = try backend.correct(sceneID: "tiny-001", change: .deleteObject(index: 1))
        let deleted = try backend.zeroShot(sceneID: "tiny-001")
        #expect(deleted.items(.object).map(\.annotated) == ["zebra"] && deleted.items(.relation).isEmpty)
        // An added object has no vector yet: not ranked.
        _ = try backend.correct(sceneID: "tiny-001", change: .addObject(name: "cup", box: PixelBox(x1: 70, y1: 50, x2: 95, y2: 75)))
        let added = try backend.zeroShot(sceneID: "tiny-001")
        #expect(added.items(.object).map(\.annotated) == ["zebra"] && added.item(.object, 1) == nil)

        // In the explorer: z shows the corrected labels; undoing every correction restores the agreement.
        f.press(.down)
        f.type("z")
        #expect(f.state.sceneView.zeroShot?.items(.object).map(\.annotated) == ["zebra"] && f.state.sceneView.zeroShot?.item(.object, 1) == nil)
        // The pane lists the added cup from the corrected annotation, marked as not ranked.
        #expect(f.session.frame().text.contains("? cup → —"))
        f.type("UUU")
        #expect(f.state.sceneView.zeroShot?.items(.object).map(\.annotated) == ["person", "cup"] && f.state.sceneView.zeroShot?.disagreements == 0)
        #expect(try !backend.reviewQueue(limit: 10).contains("tiny-001"))
    }

    @Test func badCorrectionsAreRefusedWithTheSceneAndField() throws {
        let f = try Fixture()
        defer { f.live.remove() }
        let backend = f.live.backend
        #expect { try backend.correct(sceneID: "tiny-002", change: .objectBox(index: 1, box: PixelBox(x1: 0, y1: 0, x2: 121, y2: 10))) } throws: {
            "\($0)" == #"scene "tiny-002": object 1's box [0, 0, 121, 10] lies outside the 120×120 picture"#
        }
        #expect { try backend.correct(sceneID: "tiny-002", change: .deleteRelation(index: 1)) } throws: {
            "\($0)".contains("relation 1 is out of range")
        }
        #expect(throws: ExplorerError.unknownScene(id: "nope")) { try backend.correct(sceneID: "nope", change: .action("x")) }
        #expect(try backend.cache.allCorrections().isEmpty)
        // A stored correction that no longer fits (the metadata lost an object since) is reported with the way out.
        try backend.cache.addCorrection(SceneCorrection(sceneID: "tiny-002", change: .deleteObject(index: 5)))
        #expect { try backend.detail(sceneID: "tiny-002") } throws: {
            "\($0)".contains(#"scene "tiny-002": object 5 is out of range"#) && "\($0)".contains("corrections undo") && "\($0)".contains("--scene tiny-002")
        }
        #expect(try backend.undoCorrection(sceneID: "tiny-002")?.change == .deleteObject(index: 5))
        #expect(try backend.detail(sceneID: "tiny-002").objects.count == 2)
        // In the explorer an unchanged label is not stored, and says why.
        f.type("e")
        f.press(.enter)
        #expect(f.state.overlay.messageIsError && f.state.overlay.message == #"correction not stored: scene "tiny-000": the action is already "dog chasing a ball""#)
        #expect(try backend.cache.allCorrections().isEmpty)
        // An empty line stores nothing and says so.
        f.type("e")
        f.press(.ctrl("u"), .enter)
        #expect(f.state.overlay.messageIsError && f.state.overlay.message == "empty: nothing stored")
        f.type("U")
        #expect(f.state.overlay.message == "no correction to undo in this scene")
    }
}
