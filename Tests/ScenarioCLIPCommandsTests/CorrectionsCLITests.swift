import Foundation
import Imaging
import Scenes
import Testing

/// `scenarioclip corrections add | list | export | undo | apply` end to end on scenes of the bundled demo: every
/// kind of correction stored, listed and exported, bad input refused naming the scene and the field, and the
/// corrected copy loaded back — corrected records changed as asked, regions recut from the picture for moved
/// boxes, the rest equal to the source.
@Suite(.serialized) struct CorrectionsCLITests {
    /// The first `scenes` demo scenes (pictures, regions, metadata, classes.json) in a temporary folder.
    struct DemoCopy {
        let root: URL
        var dataset: URL { root.appendingPathComponent("demo") }
        var cache: URL { root.appendingPathComponent("cache.sqlite") }

        init(scenes: Int) throws {
            root = try CLIHarness.temporaryFolder()
            let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Assets/demo")
            let fm = FileManager.default
            let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("metadata.json")))
            let chosen = Array(try #require((metadata as? [String: Any])?["data"] as? [[String: Any]]).prefix(scenes))
            for folder in ["images", "regions"] {
                try fm.createDirectory(at: dataset.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            for record in chosen {
                var files = [try #require(record["image_path"] as? String)]
                files += try #require(record["relations"] as? [[Any]]).compactMap { $0.first as? String }
                for file in files { try fm.copyItem(at: demo.appendingPathComponent(file), to: dataset.appendingPathComponent(file)) }
            }
            try JSONSerialization.data(withJSONObject: ["data": chosen]).write(to: dataset.appendingPathComponent("metadata.json"))
            try fm.copyItem(at: demo.appendingPathComponent("classes.json"), to: dataset.appendingPathComponent("classes.json"))
        }

        func run(_ args: [String]) throws -> CLIHarness.Output {
            try CLIHarness.run(["corrections"] + args)
        }

        /// `corrections add DATASET --scene ID ARGS --cache CACHE`.
        func add(_ scene: String, _ args: [String]) throws -> CLIHarness.Output {
            try run(["add", dataset.path, "--scene", scene, "--cache", cache.path] + args)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    /// A record's annotation without where it was read from (`sourceFile`, `indexInFile`).
    struct Content: Equatable, CustomStringConvertible {
        var id, imageFile, action: String
        var denseCaption: String?
        var objects: [SceneObject]
        var relations: [SceneRelation]
        var split: SceneSplit?
        var unseen: Bool?

        init(_ r: SceneRecord) {
            (id, imageFile, action, denseCaption) = (r.id, r.imageFile, r.action, r.denseCaption)
            (objects, relations, split, unseen) = (r.objects, r.relations, r.declaredSplit, r.unseen)
        }

        var description: String { "\(id) \(action) \(objects) \(relations.map(\.text))" }
    }

    @Test func addListExportUndoApplyOnTheDemo() throws {
        let demo = try DemoCopy(scenes: 6)
        defer { demo.remove() }
        let source = try SceneDataset.load(from: demo.dataset)
        let s0 = try #require(source.record(id: "000000"))
        #expect(s0.objects.map(\.name) == ["bicycle", "person", "car", "ball", "bird"])

        // One of each kind; N counts from 0 in the record's order.
        let added: [(String, [String])] = [
            ("000000", ["--object", "1", "--class", "cyclist"]),
            ("000000", ["--object", "2", "--box", "90,100,220,180"]),
            ("000001", ["--relation", "0", "--triple", "person,catching,ball"]),
            ("000001", ["--delete-relation", "1"]),
            ("000002", ["--delete-object", "0"]),
            ("000003", ["--action", "person washing a car"]),
            ("000004", ["--action", "bird perched on a tree"]),
        ]
        for (scene, args) in added {
            let out = try demo.add(scene, args)
            #expect(out.status == 0, "\(args): \(out.stderr)")
            #expect(out.stdout.hasPrefix("stored: \(scene)"), "\(out.stdout)")
        }
        let json = try demo.add("000005", ["--object", "0", "--class", "truck", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let row = try #require(try CLIHarness.json(json.stdout) as? [String: Any])
        #expect(row["scene_id"] as? String == "000005" && row["kind"] as? String == "object-class")
        #expect(row["old_value"] as? String == "car" && row["new_value"] as? String == "truck" && row["number"] as? Int == 8)

        // Bad input: refused, naming the scene and what is wrong; nothing stored.
        let refusals: [(String, [String], String)] = [
            ("000000", ["--object", "2", "--box", "90,100,257,180"], #"scene "000000": object 2's box [90, 100, 257, 180] lies outside the 256×192 picture"#),
            ("000000", ["--object", "7", "--class", "x"], #"scene "000000": object 7 is out of range (the scene has 5 objects, 0…4)"#),
            ("000000", ["--delete-relation", "4"], #"scene "000000": relation 4 is out of range (the scene has 4 relations, 0…3)"#),
            ("000000", ["--object", "0", "--box", "9,9,3,30"], #"scene "000000": object 0's box [9, 9, 3, 30] is empty or negative"#),
            ("000000", ["--object", "0", "--box", "1,2,3"], #"--box "1,2,3" is not four integers x1,y1,x2,y2"#),
            ("000000", ["--relation", "0", "--triple", "a,b"], #"--triple "a,b" is not SUBJECT,PREDICATE,OBJECT"#),
            ("000000", ["--action", " "], #"scene "000000": the action is empty"#),
            ("nope", ["--action", "x"], #"no scene with id "nope" in the dataset"#),
            ("000000", ["--action", "x", "--delete-object", "1"], "give exactly one of"),
            ("000000", ["--object", "1"], "--object N needs exactly one of --class NAME and --box"),
        ]
        for (scene, args, message) in refusals {
            let out = try demo.add(scene, args)
            #expect(out.status != 0 && out.stderr.contains(message), "\(args): \(out.stderr)")
        }

        // list: text, JSON and CSV, in the order made.
        let list = try demo.run(["list", demo.dataset.path, "--cache", demo.cache.path])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 8)
        #expect(lines.first?.hasPrefix(#"1  000000  object 1 class "person" → "cyclist""#) == true, "\(list.stdout)")
        #expect(lines[1].hasPrefix("2  000000  object 2 box [104, 116, 214, 168] → [90, 100, 220, 180]"))
        let listed = try #require(try CLIHarness.json(try demo.run(["list", demo.dataset.path, "--cache", demo.cache.path, "--json"]).stdout) as? [[String: Any]])
        #expect(listed.compactMap { $0["kind"] as? String } == [
            "object-class", "object-box", "relation", "delete-relation", "delete-object", "action", "action", "object-class",
        ])
        #expect(listed[2]["old_value"] as? String == #"["person","throwing","ball"]"#)
        #expect(listed[2]["new_value"] as? String == #"["person","catching","ball"]"#)
        #expect(listed[4]["old_value"] as? String == #"["chair",[21,97,58,165]]"#)
        let csv = try demo.run(["export", demo.dataset.path, "--cache", demo.cache.path, "--csv"])
        #expect(csv.status == 0)
        let csvLines = csv.stdout.split(separator: "\n")
        #expect(csvLines.first == "number,scene_id,kind,index,old_value,new_value,timestamp")
        #expect(csvLines.count == 9)
        #expect(csvLines[2].hasPrefix(#"2,000000,object-box,2,"104,116,214,168","90,100,220,180","#))
        let exported = try #require(try CLIHarness.json(try demo.run(["export", demo.dataset.path, "--cache", demo.cache.path, "--json"]).stdout) as? [[String: Any]])
        #expect(exported.count == 8)
        #expect(try demo.run(["export", demo.dataset.path, "--cache", demo.cache.path]).stderr.contains("give one of --json and --csv"))

        // undo: the scene's latest goes.
        let undo = try demo.run(["undo", demo.dataset.path, "--cache", demo.cache.path, "--scene", "000004"])
        #expect(undo.status == 0 && undo.stdout.contains(#"undone: 000004  action "bird flying above a tree" → "bird perched on a tree""#), "\(undo.stdout)")

        // apply: the corrected copy.
        let out = demo.root.appendingPathComponent("corrected")
        let apply = try demo.run(["apply", demo.dataset.path, out.path, "--cache", demo.cache.path, "--json"])
        #expect(apply.status == 0, "\(apply.stderr)")
        let summary = try #require(try CLIHarness.json(apply.stdout) as? [String: Any])
        #expect(summary["records"] as? Int == 6 && summary["corrected_records"] as? Int == 5 && summary["corrections"] as? Int == 7)
        // Scene 0's car moved: "car next to bicycle" and "ball next to car" are recut; the others keep their region.
        #expect(summary["recut_regions"] as? Int == 2)
        // Nothing half-written is left beside the renamed metadata.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["classes.json", "metadata.json", "regions"])

        let check = try CLIHarness.run(["check", out.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let copy = try SceneDataset.load(from: out)
        #expect(!copy.hasErrors)
        #expect(copy.records.map(\.id) == source.records.map(\.id))
        func content(_ d: SceneDataset, _ id: String) throws -> Content { Content(try #require(d.record(id: id))) }

        // 000000: the person is a cyclist (its relations follow), the car's box moved and its regions are recut.
        let c0 = try #require(copy.record(id: "000000"))
        #expect(c0.objects.map(\.name) == ["bicycle", "cyclist", "car", "ball", "bird"])
        #expect(c0.objects[2].box == PixelBox(x1: 90, y1: 100, x2: 220, y2: 180))
        #expect(c0.relations.map(\.text) == ["cyclist riding bicycle", "car next to bicycle", "ball next to car", "bird above cyclist"])
        #expect(c0.imageFile == s0.imageFile)
        #expect(c0.relations[0].regionFile == s0.relations[0].regionFile && c0.relations[3].regionFile == s0.relations[3].regionFile)
        let picture = try JPEG.decode(contentsOf: s0.imagePath)
        for j in [1, 2] {
            let region = try #require(c0.relations[j].regionFile)
            #expect(region == out.appendingPathComponent("regions/000000_\(j).jpg").path)
            let union = try #require(c0.unionBox(of: c0.relations[j]))
            #expect(union != s0.unionBox(of: s0.relations[j]))
            let cut = try JPEG.decode(contentsOf: URL(fileURLWithPath: region))
            let expected = try picture.cropped(to: union)
            #expect(cut.width == union.width && cut.height == union.height)
            // The same pixels as the crop, up to JPEG's loss.
            let error = zip(cut.pixels, expected.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) } / max(1, cut.pixels.count)
            #expect(error < 8, "mean difference \(error)")
        }
        // 000001: relation 0 relabelled (same objects: same region), relation 1 gone.
        let c1 = try #require(copy.record(id: "000001"))
        #expect(c1.relations.map(\.text) == ["person catching ball"])
        #expect(c1.relations[0].regionFile == source.record(id: "000001")?.relations[0].regionFile)
        // 000002: the chair and the relation naming it are gone.
        let c2 = try #require(copy.record(id: "000002"))
        #expect(c2.objects.map(\.name) == ["lamp", "sofa", "dog"] && c2.relations.map(\.text) == ["dog lying on sofa"])
        #expect(copy.record(id: "000003")?.action == "person washing a car")
        // 000004 (its correction undone) is untouched and equal in content; so is everything else of the records.
        #expect(try content(copy, "000004") == content(source, "000004"))
        var c5 = try content(source, "000005")
        c5.objects[0].name = "truck"
        c5.relations[0].object = "truck"
        #expect(try content(copy, "000005") == c5)
        #expect(copy.records.map(\.declaredSplit) == source.records.map(\.declaredSplit))

        // classes.json is collected from the corrected records.
        #expect(copy.classes.objects.contains("cyclist") && copy.classes.objects.contains("truck"))
        #expect(!copy.classes.objects.contains("chair"))
        #expect(copy.classes.relations.contains("cyclist riding bicycle") && !copy.classes.relations.contains("person throwing ball"))
        #expect(copy.classes.actions.contains("person washing a car"))
        #expect(copy.classes.objects == Set(copy.records.flatMap { $0.objects.map(\.name) }).sorted())

        // Evaluation runs on the corrected copy (a tiny random model: the plumbing, not the figures).
        let model = demo.root.appendingPathComponent("model")
        try CLIHarness.writeTinyCLIP(to: model)
        let eval = try CLIHarness.run(["eval", out.path, "--model", model.path, "--split", "all", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let report = try #require(try CLIHarness.json(eval.stdout) as? [String: Any])
        #expect((report["overall"] as? [String: Any])?["scenes"] as? Int == 6)
        try FileManager.default.removeItem(at: out.appendingPathComponent(".scenarioclip"))  // the copy's cache, made by eval
        // classify reads the source's annotation with its corrections: object 0 of 000005 is the truck.
        let classify = try CLIHarness.run(["classify", demo.dataset.path, "--cache", demo.cache.path, "--scene", "000005",
                                           "--model", model.path, "--json"])
        #expect(classify.status == 0, "\(classify.stderr)")
        let ranked = try #require((try CLIHarness.json(classify.stdout) as? [[String: Any]])?.first?["items"] as? [[String: Any]])
        #expect(ranked.filter { $0["level"] as? String == "object" }.compactMap { $0["annotated"] as? String } == ["truck", "person"])
        #expect(ranked.filter { $0["level"] as? String == "relation" }.compactMap { $0["annotated"] as? String } == ["person next to truck"])

        // A folder that is not empty is refused unless --force; the source itself always.
        let again = try demo.run(["apply", demo.dataset.path, out.path, "--cache", demo.cache.path])
        #expect(again.status != 0 && again.stderr.contains("exists and is not empty"), "\(again.stderr)")
        let forced = try demo.run(["apply", demo.dataset.path, out.path, "--cache", demo.cache.path, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try SceneDataset.load(from: out).records.map { Content($0) } == copy.records.map { Content($0) })
        let onto = try demo.run(["apply", demo.dataset.path, demo.dataset.path, "--cache", demo.cache.path, "--force"])
        #expect(onto.status != 0 && onto.stderr.contains("is the dataset itself"), "\(onto.stderr)")
        // The source metadata is never written.
        #expect(try SceneDataset.load(from: demo.dataset).records.map { Content($0) } == source.records.map { Content($0) })
    }

    @Test func withoutCorrectionsTheCopyEqualsTheSource() throws {
        let demo = try DemoCopy(scenes: 4)
        defer { demo.remove() }
        let list = try demo.run(["list", demo.dataset.path])
        #expect(list.status == 0 && list.stdout.isEmpty)
        // Listing creates no cache.
        #expect(!FileManager.default.fileExists(atPath: demo.dataset.appendingPathComponent(".scenarioclip/cache.sqlite").path))
        let out = demo.root.appendingPathComponent("copy")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let apply = try demo.run(["apply", demo.dataset.path, out.path])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("wrote 4 scenes (0 corrected by 0 correction(s), 0 region(s) recut)"), "\(apply.stdout)")
        let source = try SceneDataset.load(from: demo.dataset), copy = try SceneDataset.load(from: out)
        #expect(copy.records.map { Content($0) } == source.records.map { Content($0) })
        #expect(copy.classes.objects == Set(source.records.flatMap { $0.objects.map(\.name) }).sorted())
    }
}
