import Foundation
import Imaging
import Testing
@testable import SceneGenerator

@Suite struct SceneGeneratorTests {
    @Test func sameSeedGivesSameScenes() throws {
        let a = try SceneGenerator(seed: 11), b = try SceneGenerator(seed: 11)
        for i in [0, 1, 7] {
            let x = try a.scene(at: i), y = try b.scene(at: i)
            #expect(x.record(in: URL(fileURLWithPath: "/d")) == y.record(in: URL(fileURLWithPath: "/d")))
            #expect(x.image == y.image)
            #expect(x.scene == y.scene)
        }
    }

    @Test func scenesDoNotDependOnOrderOrOtherSeeds() throws {
        let g = try SceneGenerator(seed: 11)
        let later = try g.scene(at: 5)
        _ = try g.scene(at: 4)
        #expect(try g.scene(at: 5).image == later.image)
        let other = try SceneGenerator(seed: 12)
        let differing = try (0..<4).filter { try other.scene(at: $0).image != g.scene(at: $0).image }
        #expect(differing.count == 4)
        // Streams are not shifted copies of each other.
        let layouts = try (0..<12).map { try g.compose($0).scene.objects.map(\.origin) }
        #expect(Set(layouts.map { $0.map { "\($0.x),\($0.y)" }.joined() }).count == 12)
    }

    @Test func boxesAreInsideAndTightAroundEachPictogram() throws {
        let g = try SceneGenerator(seed: 5)
        for i in 0..<10 {
            let s = try g.scene(at: i)
            #expect(s.objects.count == s.scene.objects.count)
            for (o, placed) in zip(s.objects, s.scene.objects) {
                #expect(!o.box.isEmpty, "scene \(i) \(o.name) has an empty box")
                #expect(o.box.x1 >= 0 && o.box.y1 >= 0 && o.box.x2 <= g.width && o.box.y2 <= g.height,
                        "scene \(i) \(o.name) box \(o.box) leaves the image")
                let mask = ObjectMask(placed, width: g.width, height: g.height)
                #expect(mask.box == o.box, "scene \(i) \(o.name): box \(o.box), pictogram pixels \(String(describing: mask.box))")
            }
            // Each kind at most once, so relation names are unambiguous.
            #expect(Set(s.objects.map(\.name)).count == s.objects.count)
        }
    }

    @Test func everyActionCanBeComposedAndMatchesItsMainRelation() throws {
        for (n, action) in SceneAction.all.enumerated() {
            for setting in action.settings {
                var composer = SceneComposer(width: 256, height: 192, rng: SceneRNG(seed: UInt64(n), stream: 3))
                var scene: Scene?
                for _ in 0..<50 where scene == nil {
                    scene = composer.compose(action: action, place: Place.places(in: setting)[0], exclude: [])
                }
                let s = try #require(scene, "no layout for '\(action.name)' \(setting)")
                #expect(s.triple(s.relations[0]) == action.triple)
                #expect(action.name == action.name.lowercased())
            }
        }
        #expect(SceneAction.all.count >= 15)
        #expect(ObjectKind.allCases.count >= 12)
        let predicates = Set(SceneAction.all.map(\.triple.predicate)).union([.leftOf, .rightOf, .on, .under, .above])
        #expect(predicates.count >= 8)
    }

    @Test func heldOutCompositionsAppearOnlyInTest() throws {
        let g = try SceneGenerator(seed: 2)
        var found = Set<String>()
        var unseen = 0
        for i in 0..<240 {
            let (scene, split, held) = try g.compose(i)
            if split != .test { #expect(held.isEmpty, "scene \(i) in \(split) holds \(held)") }
            if !held.isEmpty {
                unseen += 1
                #expect(split == .test)
            }
            found.formUnion(held)
            #expect(g.heldOut.compositions(in: scene) == held)
        }
        #expect(unseen >= 12)
        // Every held-out action and triple is exercised by the test split.
        for a in g.heldOut.actions { #expect(found.contains("action: \(a)"), "never saw \(a)") }
        for t in g.heldOut.triples { #expect(found.contains("triple: \(t)"), "never saw \(t)") }
    }

    @Test func regionImageIsBlackOutsideTheUnionBox() throws {
        let s = try SceneGenerator(seed: 3).scene(at: 0)
        for k in s.relations.indices {
            let region = s.regionImage(k)
            let box = s.objects[s.relations[k].subject].box.union(s.objects[s.relations[k].object].box)
            #expect(s.regionBox(k) == box)
            for y in 0..<region.height {
                for x in 0..<region.width {
                    let i = (y * region.width + x) * 3
                    let inside = x >= box.x1 && x < box.x2 && y >= box.y1 && y < box.y2
                    let expected = inside ? Array(s.image.pixels[i..<i + 3]) : [0, 0, 0]
                    if Array(region.pixels[i..<i + 3]) != expected {
                        Issue.record("relation \(k): pixel (\(x), \(y)) wrong")
                        return
                    }
                }
            }
        }
    }

    @Test func captionMentionsTheActionsObjectsAndPlace() throws {
        let s = try SceneGenerator(seed: 9).scene(at: 2)
        #expect(s.denseCaption.contains(s.scene.place.rawValue))
        for o in s.objects { #expect(s.denseCaption.contains(o.name), "caption misses \(o.name): \(s.denseCaption)") }
    }

    @Test func rejectsTinyImages() {
        #expect(throws: GeneratorError.imageTooSmall(width: 40, height: 30)) { try SceneGenerator(seed: 1, width: 40, height: 30) }
    }

    @Test func smallerImagesStillCompose() throws {
        let g = try SceneGenerator(seed: 4, width: 128, height: 96)
        for i in 0..<4 {
            let s = try g.scene(at: i)
            for o in s.objects { #expect(o.box.x2 <= 128 && o.box.y2 <= 96 && !o.box.isEmpty) }
        }
    }
}
