import EmbeddingCache
import Explorer
import Foundation
import Testing

@Suite struct MarksTests {
    @Test func marksSceneObjectAndRelationAndTogglesOff() throws {
        let h = try Harness()
        h.type("c")
        #expect(try h.backend.marks(sceneID: "scene-000").said == [AnnotationMark(sceneID: "scene-000", target: .scene, verdict: .correct).said])
        #expect(h.text.contains("scene-000 scene ✓"))
        h.press(.tab)
        h.type("jx")
        h.press(.tab)
        h.type("u")
        let marks = try h.backend.marks(sceneID: "scene-000")
        #expect(marks.count == 3)
        #expect(marks.said.contains(AnnotationMark(sceneID: "scene-000", target: .object(1), verdict: .wrong).said))
        #expect(marks.said.contains(AnnotationMark(sceneID: "scene-000", target: .relation(0), verdict: .unsure).said))
        #expect(h.text.contains("▸ dog chasing ball ?"))
        h.type("u")  // same verdict again removes it
        #expect(try h.backend.marks(sceneID: "scene-000").count == 2)
    }

    @Test func noteIsSavedWithTheMarkAndShownAgainAfterReload() throws {
        let h = try Harness()
        h.type("x")
        h.type("nlabel is wrong⏎")
        #expect(try h.backend.marks(sceneID: "scene-000").said == [AnnotationMark(sceneID: "scene-000", target: .scene, verdict: .wrong, note: "label is wrong").said])
        h.type("jk")  // reload the scene from the backend
        #expect(h.state.marks.ofScene[.scene]?.note == "label is wrong")
        #expect(h.text.contains("note: label is wrong"))
    }

    @Test func marksViewListsEveryMarkAndJumpsToIt() throws {
        let h = try Harness()
        h.type("jjc")
        h.type("jx")
        h.type("M")
        #expect(h.state.list.mode == .marks)
        #expect(h.text.contains("Marks (2)"))
        #expect(h.text.contains("✓ scene-002 scene"))
        h.type("j")
        #expect(h.state.sceneView.detail?.id == "scene-003")
        h.type("k")
        #expect(h.state.sceneView.detail?.id == "scene-002")
    }

    @Test func reviewQueueWalksScenesWithDisagreementsFirst() throws {
        let h = try Harness(sceneCount: 6)
        h.type("R")
        #expect(h.state.list.mode == .review)
        // Scenes with a cup disagree twice (action and object), the cat scenes once, dog scenes not at all.
        #expect(h.state.marks.reviewIDs == ["scene-001", "scene-004", "scene-002", "scene-005"])
        #expect(h.state.sceneView.detail?.id == "scene-001")
        h.type("j")
        #expect(h.state.sceneView.detail?.id == "scene-004")
    }

    @Test func zeroShotViewMarksDisagreements() throws {
        let h = try Harness()
        h.type("jz")
        let text = h.text
        #expect(text.contains("Zero-shot · scene-001"))
        #expect(text.contains("✗ action: person holding a cup"))
        #expect(text.contains("✗ cup → bowl 0.33"))
        #expect(text.contains("✓ person → person 0.33"))
        #expect(text.contains("2 disagreement(s)"))
        h.type("j")  // the next scene's ranking loads with it
        #expect(h.text.contains("Zero-shot · scene-002"))
    }
}
