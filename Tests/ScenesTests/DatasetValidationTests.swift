import Foundation
import Imaging
import Testing

@testable import Scenes

@Suite struct DatasetValidationTests {
    /// Loads records written into a copy of the tiny dataset.
    private func load(_ records: [String], checkImages: Bool = false) throws -> SceneDataset {
        let data = try TestDataset()
        defer { data.remove() }
        try data.writeRecords(records)
        return try SceneDataset.load(from: data.root, options: LoadOptions(checkImages: checkImages))
    }

    private func fields(_ dataset: SceneDataset) -> [String] {
        dataset.problems.map { "\($0.recordIndex.map(String.init) ?? "-") \($0.field ?? "-") \($0.severity)" }
    }

    @Test func malformedJSONIsReportedAtLineAndColumnAndOtherFilesStillLoad() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write("metadata.json", "{\"data\": [\n {\"id\": 1,\n  \"x\": [1, 2,, 3]}\n]}")
        let dataset = try SceneDataset.load(from: data.root)
        let problem = try #require(dataset.problems.first)
        #expect(dataset.problems.count == 1)
        #expect(problem.file?.lastPathComponent == "metadata.json")
        #expect(problem.line == 3)
        #expect(problem.column == 14)
        #expect(problem.severity == .error)
        #expect(problem.description.hasPrefix("metadata.json:3:14: error: malformed JSON"))
        #expect(dataset.records.map(\.id) == ["d3"])
    }

    @Test func truncatedJSONIsReportedAtTheEnd() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write("metadata.json", "{\"data\": [\n {\"id\": 1,\n  \"x\": [1, 2")
        let dataset = try SceneDataset.load(from: data.root)
        let problem = try #require(dataset.problems.first)
        #expect(problem.line == 3)
        #expect(problem.column == 13)
    }

    @Test func lineColumnConversionCountsBytesAndNewlines() {
        let data = Data("ab\ncd\n\nxé".utf8)
        #expect(JSONTextPosition.lineColumn(ofOffset: 0, in: data) == (1, 1))
        #expect(JSONTextPosition.lineColumn(ofOffset: 4, in: data) == (2, 2))
        #expect(JSONTextPosition.lineColumn(ofOffset: 6, in: data) == (3, 1))
        #expect(JSONTextPosition.lineColumn(ofOffset: 8, in: data) == (4, 2))
        #expect(JSONTextPosition.lineColumn(ofOffset: 99, in: data) == (4, 4))
    }

    @Test func missingFieldsAndWrongTypesNameTheirField() throws {
        let dataset = try load([
            #"{"id": "a", "action": "person holding a cup", "objects": [], "relations": []}"#,
            #"{"id": "b", "image_path": "images/kitchen.jpg", "action": 3, "objects": [], "relations": []}"#,
            #"{"id": true, "image_path": "images/kitchen.jpg", "action": "person holding a cup", "objects": [], "relations": []}"#,
            #"{"id": "c", "image_path": "images/kitchen.jpg", "action": "person holding a cup", "objects": [["cup", [1, 2, 3]], [5, [1, 2, 3, 4]], "cup"], "relations": {}}"#,
            #"{"id": "d", "image_path": "images/kitchen.jpg", "action": "person holding a cup", "objects": [["cup", [1, 2, 3, 4]]], "relations": [["r.jpg", ["cup", "on"]], [7, ["cup", "on", "cup"]], ["r.jpg", ["cup", 1, "cup"]]], "split": "dev", "unseen": "yes"}"#,
            #"[1, 2]"#,
        ])
        #expect(fields(dataset) == [
            "0 image_path error",
            "1 action error",
            "2 id error",
            "3 objects[0][1] error",
            "3 objects[1][0] error",
            "3 objects[2] error",
            "3 relations error",
            "4 split error",
            "4 unseen error",
            "4 relations[0][1] error",
            "4 relations[1][0] error",
            "4 relations[2][1][1] error",
            "5 - error",
        ])
        // Records with a usable id, image and action are kept; the others are skipped.
        #expect(dataset.records.map(\.id) == ["c", "d"])
        #expect(dataset.records[0].objects.isEmpty)
        #expect(dataset.problems[0].message == "missing field")
        #expect(dataset.problems[1].message == "expected a string, found a number")
        #expect(dataset.problems[1].recordID == "b")
        #expect(dataset.problems[3].description.contains(#"record #3 (id "c") objects[0][1]: error: expected a box"#))
    }

    @Test func relationNamingAnUnknownObjectIsAnError() throws {
        let dataset = try load([kitchenRecord(relations: #"[["regions/kitchen_0.jpg", ["person", "holding", "mug"]]]"#)])
        #expect(fields(dataset) == ["0 relations[0][1][2] error", "0 relations[0][1] error"])
        #expect(dataset.problems[0].message == #"object "mug" is not among the record's objects"#)
        #expect(dataset.problems[1].message == #"relation "person holding mug" is not in classes.json relations"#)
    }

    @Test func labelsMissingFromClassesAreErrors() throws {
        let dataset = try load([
            #"{"id": "a", "image_path": "images/kitchen.jpg", "action": "person juggling", "objects": [["knife", [1, 2, 3, 4]]], "relations": []}"#
        ])
        #expect(fields(dataset) == ["0 action error", "0 objects[0][0] error"])
    }

    @Test func boxesMustBeOrderedNonEmptyAndInsideTheImage() throws {
        let objects = #"[["cup", [30, 8, 10, 40]], ["cup", [10, 8, 10, 40]], ["cup", [70, 8, 90, 40]], ["cup", [-5, 8, 20, 50]], ["person", [0, 0, 64, 48]]]"#
        let unchecked = try load([kitchenRecord(objects: objects)])
        #expect(fields(unchecked) == ["0 objects[0][1] error", "0 objects[1][1] error"])
        #expect(unchecked.problems[0].message == "box [30, 8, 10, 40] has x2 < x1")
        #expect(unchecked.problems[1].message == "box [10, 8, 10, 40] is empty (zero width or height)")
        let checked = try load([kitchenRecord(objects: objects)], checkImages: true)
        #expect(fields(checked) == [
            "0 objects[0][1] error", "0 objects[1][1] error", "0 objects[2][1] error", "0 objects[3][1] warning",
        ])
        #expect(checked.problems[2].message == "box [70, 8, 90, 40] lies outside the 64x48 image")
    }

    @Test func missingImageAndRegionFilesAreFoundOnlyWhenAsked() throws {
        let record = #"{"id": "a", "image_path": "images/nope.jpg", "action": "person holding a cup", "objects": [["person", [1, 1, 5, 5]], ["cup", [1, 1, 5, 5]]], "relations": [["regions/nope.jpg", ["person", "holding", "cup"]]]}"#
        #expect(try load([record]).problems == [])
        let checked = try load([record], checkImages: true)
        #expect(fields(checked) == ["0 relations[0][0] error", "0 image_path error"])
        #expect(checked.problems[1].message.hasSuffix("images/nope.jpg does not exist"))
    }

    @Test func unreadableImageHeaderIsAnError() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write("images/kitchen.jpg", "not a jpeg")
        try data.delete("metadata_extra.json")
        let dataset = try SceneDataset.load(from: data.root, options: LoadOptions(checkImages: true))
        #expect(fields(dataset) == ["0 image_path error"])
    }

    @Test func duplicateIDsAcrossFilesKeepTheFirstRecord() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write("metadata_extra.json", "{\"data\": [\(kitchenRecord(id: "7"))]}")
        let dataset = try SceneDataset.load(from: data.root)
        #expect(dataset.records.map(\.id) == ["k1", "7"])
        #expect(dataset.record(id: "7")?.action == "dog chasing a ball")
        let problem = try #require(dataset.problems.first)
        #expect(dataset.problems.count == 1)
        #expect(problem.file?.lastPathComponent == "metadata_extra.json")
        #expect(problem.field == "id")
        #expect(problem.message.contains("record #1 of metadata.json"))
    }

    @Test func stopAtFirstProblemThrowsWithOnlyThatProblem() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.writeRecords([
            #"{"id": "a", "action": "x", "objects": [], "relations": []}"#,
            #"{"id": "b", "action": "y", "objects": [], "relations": []}"#,
        ])
        do {
            _ = try SceneDataset.load(from: data.root, options: LoadOptions(stopAtFirstProblem: true))
            Issue.record("expected a throw")
        } catch ScenesError.invalidDataset(let problems) {
            #expect(problems.count == 1)
            #expect(problems[0].recordID == "a")
        }
        let all = try SceneDataset.load(from: data.root)
        #expect(all.errors.count == 2)  // two missing image paths; the skipped records' actions are not checked
        #expect(throws: ScenesError.self) { try all.requireNoErrors() }
    }

    @Test func classesFileProblemsAreReported() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write("classes.json", #"{"actions": ["a", "a"], "objects": "cup", "relations": [1]}"#)
        let dataset = try SceneDataset.load(from: data.root)
        let classProblems = dataset.problems.filter { $0.file?.lastPathComponent == "classes.json" }
        #expect(classProblems.map { "\($0.field ?? "-") \($0.severity)" } == [
            "actions[1] warning", "objects error", "relations[0] error",
        ])
    }
}
