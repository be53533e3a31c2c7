import Foundation
import Imaging
import Testing
@testable import Scenes

@Suite struct SceneCorrectionTests {
    static let record = SceneRecord(
        id: "k1", imageFile: "/data/k1.jpg", action: "person holding a cup",
        objects: [SceneObject(name: "person", box: PixelBox(x1: 2, y1: 1, x2: 40, y2: 47)),
                  SceneObject(name: "cup", box: PixelBox(x1: 10, y1: 8, x2: 30, y2: 40)),
                  SceneObject(name: "table", box: PixelBox(x1: 0, y1: 30, x2: 64, y2: 48))],
        relations: [SceneRelation(subject: "person", predicate: "holding", object: "cup", regionFile: "/data/r0.jpg"),
                    SceneRelation(subject: "cup", predicate: "on", object: "table", regionFile: "/data/r1.jpg")],
        sourceFile: URL(fileURLWithPath: "/data/metadata.json"), indexInFile: 0)

    @Test func eachChangeApplies() throws {
        let r = Self.record
        func apply(_ change: SceneCorrection.Change) throws -> SceneRecord {
            try r.applying([try SceneCorrection.make(change, for: r)])
        }
        #expect(try apply(.action("person drinking from a cup")).action == "person drinking from a cup")
        #expect(try apply(.objectClass(index: 1, name: "mug")).objects.map(\.name) == ["person", "mug", "table"])
        #expect(try apply(.objectBox(index: 2, box: PixelBox(x1: 1, y1: 2, x2: 3, y2: 4))).objects[2].box == PixelBox(x1: 1, y1: 2, x2: 3, y2: 4))
        let relabelled = try apply(.relation(index: 1, subject: "cup", predicate: "above", object: "table"))
        #expect(relabelled.relations[1].text == "cup above table")
        #expect(relabelled.relations[1].regionFile == "/data/r1.jpg")
        // Deleting an object deletes the relations naming it; renaming it renames them.
        let deleted = try apply(.deleteObject(index: 0))
        #expect(deleted.objects.map(\.name) == ["cup", "table"] && deleted.relations.map(\.text) == ["cup on table"])
        let renamed = try apply(.objectClass(index: 1, name: "mug"))
        #expect(renamed.relations.map(\.text) == ["person holding mug", "mug on table"])
        #expect(renamed.relations.map(\.regionFile) == r.relations.map(\.regionFile))
        // With two objects of the class, relations keep naming the class (the other object still has it).
        var twice = r
        twice.objects.append(SceneObject(name: "cup", box: PixelBox(x1: 40, y1: 8, x2: 50, y2: 20)))
        let one = try twice.applying([try SceneCorrection.make(.objectClass(index: 1, name: "mug"), for: twice)])
        #expect(one.relations == r.relations)
        #expect(try twice.applying([try SceneCorrection.make(.deleteObject(index: 1), for: twice)]).relations == r.relations)
        #expect(try apply(.deleteRelation(index: 0)).relations.map(\.text) == ["cup on table"])
        let added = try apply(.addObject(name: "spoon", box: PixelBox(x1: 5, y1: 5, x2: 9, y2: 9)))
        #expect(added.objects.last == SceneObject(name: "spoon", box: PixelBox(x1: 5, y1: 5, x2: 9, y2: 9)))
        // Everything else is kept.
        #expect(added.id == r.id && added.imageFile == r.imageFile && added.relations == r.relations)
    }

    @Test func indicesCountInTheRecordAsItStands() throws {
        var r = Self.record
        var list: [SceneCorrection] = []
        for change in [SceneCorrection.Change.deleteObject(index: 0), .objectClass(index: 0, name: "mug")] {
            let correction = try SceneCorrection.make(change, for: r)
            list.append(correction)
            r = try r.applying([correction])
        }
        // After deleting object 0, index 0 is the cup.
        #expect(list[1].oldValue == "cup")
        let tracked = try Self.record.applyingTracked(list)
        #expect(tracked.record.objects.map(\.name) == ["mug", "table"])
        #expect(tracked.objectOrigins == [1, 2])
        #expect(tracked.record == r)
    }

    @Test func oldValuesAndStoredFieldsRoundTrip() throws {
        let r = Self.record
        let changes: [SceneCorrection.Change] = [
            .action("a \"quoted\" action"), .objectClass(index: 1, name: "mug"),
            .objectBox(index: 0, box: PixelBox(x1: 3, y1: 4, x2: 20, y2: 30)),
            .relation(index: 0, subject: "person", predicate: "drinking, from", object: "cup"),
            .deleteObject(index: 2), .deleteRelation(index: 1), .addObject(name: "spoon", box: PixelBox(x1: 1, y1: 1, x2: 2, y2: 2)),
        ]
        let expectedOld = ["person holding a cup", "cup", "2,1,40,47", #"["person","holding","cup"]"#,
                           #"["table",[0,30,64,48]]"#, #"["cup","on","table"]"#, ""]
        for (change, old) in zip(changes, expectedOld) {
            let c = try SceneCorrection.make(change, for: r, timestamp: Date(timeIntervalSince1970: 100))
            #expect(c.oldValue == old)
            let back = try SceneCorrection(sceneID: c.sceneID, kind: c.kind, index: c.index, oldValue: c.oldValue,
                                           newValue: c.newValue, timestamp: c.timestamp)
            #expect(back == c)
        }
    }

    @Test func badCorrectionsAreRefusedWithTheScene() throws {
        let r = Self.record
        func reason(_ change: SceneCorrection.Change, size: (Int, Int)? = (64, 48)) -> String {
            do {
                _ = try SceneCorrection.make(change, for: r, pictureSize: size.map { (width: $0.0, height: $0.1) })
                return "accepted"
            } catch { return "\(error)" }
        }
        #expect(reason(.objectClass(index: 3, name: "x")) == #"scene "k1": object 3 is out of range (the scene has 3 objects, 0…2)"#)
        #expect(reason(.deleteRelation(index: 2)) == #"scene "k1": relation 2 is out of range (the scene has 2 relations, 0…1)"#)
        #expect(reason(.objectBox(index: 0, box: PixelBox(x1: 0, y1: 0, x2: 65, y2: 10))) == #"scene "k1": object 0's box [0, 0, 65, 10] lies outside the 64×48 picture"#)
        #expect(reason(.objectBox(index: 0, box: PixelBox(x1: 0, y1: 0, x2: 65, y2: 10)), size: nil) == "accepted")
        #expect(reason(.addObject(name: "x", box: PixelBox(x1: 5, y1: 5, x2: 5, y2: 9))).contains("is empty or negative"))
        #expect(reason(.action("  ")) == #"scene "k1": the action is empty"#)
        // A change that changes nothing is refused, naming the field.
        #expect(reason(.objectClass(index: 1, name: "cup")) == #"scene "k1": object 1's class is already "cup""#)
        #expect(reason(.objectBox(index: 0, box: PixelBox(x1: 2, y1: 1, x2: 40, y2: 47))) == #"scene "k1": object 0's box is already [2, 1, 40, 47]"#)
        #expect(reason(.relation(index: 1, subject: "cup", predicate: "on", object: "table")) == #"scene "k1": relation 1 is already "cup on table""#)
        #expect(reason(.action("person holding a cup")) == #"scene "k1": the action is already "person holding a cup""#)
        // A stored list that no longer fits (the metadata lost an object) is reported, not trapped on.
        let late = SceneCorrection(sceneID: "k1", change: .deleteObject(index: 5))
        #expect(throws: ScenesError.self) { try r.applying([late]) }
        // Corrections of other scenes are ignored.
        #expect(try r.applying([SceneCorrection(sceneID: "other", change: .deleteObject(index: 5))]) == r)
    }

    @Test func regionChangesFollowMovedBoxes() throws {
        let r = Self.record
        let moved = try r.applyingTracked([try SceneCorrection.make(.objectBox(index: 2, box: PixelBox(x1: 0, y1: 20, x2: 60, y2: 48)), for: r)])
        #expect(!moved.regionChanged(0, original: r))
        #expect(moved.regionChanged(1, original: r))
        // A box moved within the union of its relation (the cup reaches higher than the table's new top) leaves
        // the region as it was.
        let inside = try r.applyingTracked([try SceneCorrection.make(.objectBox(index: 2, box: PixelBox(x1: 0, y1: 20, x2: 64, y2: 48)), for: r)])
        #expect(!inside.regionChanged(1, original: r))
        let renamed = try r.applyingTracked([try SceneCorrection.make(.relation(index: 0, subject: "person", predicate: "near", object: "cup"), for: r)])
        // A new predicate names the same objects: the same region.
        #expect(!renamed.regionChanged(0, original: r) && !renamed.regionChanged(1, original: r))
        // A relation that now names another object is cut from other boxes.
        let other = try r.applyingTracked([try SceneCorrection.make(.relation(index: 0, subject: "person", predicate: "near", object: "table"), for: r)])
        #expect(other.regionChanged(0, original: r))
    }

    @Test func storedValuesThatDoNotParseAreErrors() {
        #expect(throws: ScenesError.self) {
            try SceneCorrection(sceneID: "k1", kind: .objectBox, index: 0, oldValue: "", newValue: "1,2,x,4", timestamp: Date())
        }
        #expect(throws: ScenesError.self) {
            try SceneCorrection(sceneID: "k1", kind: .relation, index: 0, oldValue: "", newValue: "[\"a\",\"b\"]", timestamp: Date())
        }
    }
}
