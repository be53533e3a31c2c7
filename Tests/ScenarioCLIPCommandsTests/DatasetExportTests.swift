import EmbeddingCache
import Foundation
import Imaging
import Scenes
import Testing

/// `dataset export` end to end on the first demo scenes (records pointing at the demo's pictures, in a temporary
/// folder so the cache lands there) with the bundled model: each selector (--query, --filter, --marks) and each
/// format (reference, reference --copy, coco, paths), their contents checked against the source records.
@Suite(.serialized) struct DatasetExportTests {
    /// A temporary folder holding `scenes/`, the first `count` demo records.
    struct Fixture {
        let root: URL
        let dataset: URL
        let source: SceneDataset

        init(count: Int = 16) throws {
            root = try CLIHarness.temporaryFolder()
            dataset = root.appendingPathComponent("scenes")
            try DatasetSubsetsTests.write(try DatasetSubsetsTests.demoRecords(count, keepSplits: true), to: dataset)
            source = try SceneDataset.load(from: dataset)
        }

        func out(_ name: String) -> URL { root.appendingPathComponent(name) }
        func remove() { try? FileManager.default.removeItem(at: root) }

        /// Runs `dataset export DATASET args…` and expects success.
        func export(_ args: [String]) throws -> CLIHarness.Output {
            let run = try CLIHarness.run(["dataset", "export", dataset.path] + args)
            #expect(run.status == 0, "\(args): \(run.stderr)")
            return run
        }

        /// Runs `dataset export DATASET args…` and expects a refusal; returns standard error.
        func refused(_ args: [String]) throws -> String {
            let run = try CLIHarness.run(["dataset", "export", dataset.path] + args)
            #expect(run.status != 0, "\(args) was accepted")
            return run.stderr
        }

        /// Expects `written` to hold exactly the source records `ids`, in that order, unchanged.
        func expectRecords(_ written: SceneDataset, ids: [String], copied: Bool = false) throws {
            #expect(written.records.map(\.id) == ids)
            #expect(!written.hasErrors)
            for record in written.records {
                let original = try #require(source.record(id: record.id))
                #expect(record.action == original.action && record.objects == original.objects)
                #expect(record.relations.map(\.text) == original.relations.map(\.text))
                #expect(record.declaredSplit == original.declaredSplit)
                if !copied {
                    #expect(record.imageFile == original.imageFile)
                    #expect(record.relations.map(\.regionFile) == original.relations.map(\.regionFile))
                }
            }
        }
    }

    @Test func queryKeepsTheTopScenesOrThoseAboveAScoreAsQueryRanksThem() throws {
        let f = try Fixture()
        defer { f.remove() }
        // The first export embeds the scenes (as `query` would); the rest reuse the cache.
        let top = f.out("top")
        _ = try f.export([top.path, "--query", "dog chasing a ball", "--top", "3"])
        let ranked = try CLIHarness.run(["query", f.dataset.path, "dog chasing a ball", "--top", "16", "--no-index", "--json"])
        #expect(ranked.status == 0, "\(ranked.stderr)")
        let hits = try #require(try CLIHarness.json(ranked.stdout) as? [[String: Any]])
        let ids = hits.compactMap { $0["scene"] as? String }
        let scores = hits.compactMap { $0["score"] as? Double }
        #expect(ids.count == 16 && scores.count == 16)
        try f.expectRecords(try SceneDataset.load(from: top), ids: Array(ids.prefix(3)))

        // --min-score between the fourth and fifth scores keeps the first four, best first (paths to stdout).
        try #require(scores[3] > scores[4])
        let threshold = (scores[3] + scores[4]) / 2
        let paths = try f.export(["-", "--query", "dog chasing a ball", "--min-score", "\(threshold)", "--format", "paths", "--no-index"])
        let expected = try ids.prefix(4).map { try #require(f.source.record(id: $0)).imageFile }
        #expect(paths.stdout.split(separator: "\n").map(String.init) == expected)

        // Object level: a scene ranks by its best object, each scene once; combined with --split.
        let objects = try CLIHarness.run(["query", f.dataset.path, "a dog", "--level", "object", "--top", "200", "--no-index", "--json"])
        let objectHits = try #require(try CLIHarness.json(objects.stdout) as? [[String: Any]])
        var seen = Set<String>()
        let testScenes = Set(f.source.records(in: .test).map(\.id))
        let objectRanked = objectHits.compactMap { $0["scene"] as? String }.filter { testScenes.contains($0) && seen.insert($0).inserted }
        let byObject = try f.export(["-", "--query", "a dog", "--level", "object", "--top", "2", "--split", "test",
                                     "--format", "paths", "--no-index"])
        let objectPaths = try objectRanked.prefix(2).map { try #require(f.source.record(id: $0)).imageFile }
        #expect(byObject.stdout.split(separator: "\n").map(String.init) == objectPaths)

        #expect(try f.refused([f.out("x").path, "--query", "dog", "--top", "2", "--min-score", "0.5"]).contains("not both"))
        #expect(try f.refused([f.out("x").path, "--top", "2"]).contains("need --query"))
        #expect(try f.refused([f.out("x").path, "--query", "dog", "--level", "scene"]).contains("'global', 'object' or 'relation'"))
    }

    @Test func filterAndMarksSelectScenesAndUnknownNamesAreRefused() throws {
        let f = try Fixture()
        defer { f.remove() }
        let birds = f.out("birds")
        let summary = try f.export([birds.path, "--filter", "object:bird tag:train", "--json"])
        let expected = f.source.records.filter { record in
            record.objects.contains { $0.name.contains("bird") } && f.source.splits()[f.source.index(ofID: record.id) ?? 0] == .train
        }.map(\.id)
        #expect(expected == ["000000", "000003", "000004", "000010"])
        try f.expectRecords(try SceneDataset.load(from: birds), ids: expected)
        let report = try #require(try CLIHarness.json(summary.stdout) as? [String: Any])
        #expect(report["records"] as? Int == 4 && report["format"] as? String == "reference")
        #expect(report["objects"] as? Int == expected.compactMap { f.source.record(id: $0)?.objects.count }.reduce(0, +))

        let unknown = try f.refused([f.out("none").path, "--filter", "object:bird object:dgo action:flyin relation:zzz"])
        #expect(unknown.contains("object:'dgo'") && unknown.contains("relation:'zzz'") && !unknown.contains("action:"), "\(unknown)")
        #expect(!FileManager.default.fileExists(atPath: f.out("none").path))

        // Marks on the scene, on an object and on a relation; --marks picks scenes by the kinds listed.
        #expect(try f.refused([f.out("m").path, "--marks", "wrong,bogus"]).contains("'bogus'"))
        let cache = try EmbeddingCache.open(at: EmbeddingCache.defaultLocation(forDataset: f.dataset))
        try cache.upsertMark(AnnotationMark(sceneID: "000005", targetKind: .scene, verdict: .wrong, note: "not a car"))
        try cache.upsertMark(AnnotationMark(sceneID: "000002", targetKind: .object, targetIndex: 1, verdict: .unsure))
        try cache.upsertMark(AnnotationMark(sceneID: "000009", targetKind: .relation, targetIndex: 0, verdict: .wrong))
        try cache.upsertMark(AnnotationMark(sceneID: "000011", targetKind: .scene, verdict: .correct))
        let marked = f.out("marked")
        _ = try f.export([marked.path, "--marks", "wrong, unsure"])
        try f.expectRecords(try SceneDataset.load(from: marked), ids: ["000002", "000005", "000009"])
        let correct = try f.export(["-", "--marks", "correct", "--format", "paths"])
        #expect(correct.stdout == (f.source.record(id: "000011")?.imageFile ?? "?") + "\n")
        // Marks and filter combine.
        let both = try f.export(["-", "--marks", "wrong,unsure", "--filter", "object:car", "--format", "paths"])
        #expect(both.stdout == (f.source.record(id: "000005")?.imageFile ?? "?") + "\n")
    }

    @Test func cocoHoldsEveryObjectBoxWithTheScenesAndRelations() throws {
        let f = try Fixture()
        defer { f.remove() }
        let file = f.out("test.json")
        _ = try f.export([file.path, "--format", "coco", "--split", "test"])
        let coco = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let images = try #require(coco["images"] as? [[String: Any]])
        let annotations = try #require(coco["annotations"] as? [[String: Any]])
        let categories = try #require(coco["categories"] as? [[String: Any]])
        let relations = try #require(coco["scene_relations"] as? [[String: Any]])
        let records = f.source.records(in: .test)
        #expect(images.map { $0["scene_id"] as? String } == records.map(\.id))
        let names = Set(records.flatMap { $0.objects.map(\.name) }).sorted()
        #expect(categories.map { $0["name"] as? String } == names)
        #expect(categories.map { $0["id"] as? Int } == Array(1...names.count))
        let categoryName = Dictionary(uniqueKeysWithValues: categories.compactMap { c in (c["id"] as? Int).map { ($0, c["name"] as? String ?? "") } })
        var expectedAnnotations: [([Int], String, Int, Int)] = []
        for (n, record) in records.enumerated() {
            let image = images[n]
            #expect(image["id"] as? Int == n + 1)
            #expect(image["file_name"] as? String == record.imageFile)
            #expect(image["action"] as? String == record.action)
            let size = try Picture.readSize(contentsOf: record.imagePath)
            #expect(image["width"] as? Int == size.width && image["height"] as? Int == size.height)
            for object in record.objects {
                let b = object.box
                expectedAnnotations.append(([b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1], object.name, n + 1, (b.x2 - b.x1) * (b.y2 - b.y1)))
            }
        }
        #expect(annotations.count == expectedAnnotations.count)
        for (i, (annotation, expected)) in zip(annotations, expectedAnnotations).enumerated() {
            #expect(annotation["id"] as? Int == i + 1)
            #expect(annotation["bbox"] as? [Int] == expected.0)
            #expect(categoryName[annotation["category_id"] as? Int ?? 0] == expected.1)
            #expect(annotation["image_id"] as? Int == expected.2)
            #expect(annotation["area"] as? Int == expected.3)
            #expect(annotation["iscrowd"] as? Int == 0)
        }
        #expect(relations.count == records.reduce(0) { $0 + $1.relations.count })
        // Each relation's subject annotation is the scene's first object of that name.
        let first = try #require(relations.first)
        let subjectAnnotation = try #require(annotations.first { $0["id"] as? Int == first["subject_annotation_id"] as? Int })
        #expect(categoryName[subjectAnnotation["category_id"] as? Int ?? 0] == first["subject"] as? String)
        #expect(subjectAnnotation["image_id"] as? Int == first["image_id"] as? Int)

        // An existing file is refused unless --force; no temporary file is left beside it.
        #expect(try f.refused([file.path, "--format", "coco"]).contains("exists and is not empty"))
        _ = try f.export([file.path, "--format", "coco", "--force"])
        let all = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect((all["images"] as? [Any])?.count == 16)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.root.path).filter { $0.contains("partial") }.isEmpty)

        // To standard output with -, and --json summarises a file export.
        let piped = try f.export(["-", "--format", "coco", "--ids", try idFile(f, ["000007"])])
        let one = try #require(try CLIHarness.json(piped.stdout) as? [String: Any])
        #expect((one["images"] as? [[String: Any]])?.map { $0["scene_id"] as? String } == ["000007"])
        #expect((one["annotations"] as? [Any])?.count == f.source.record(id: "000007")?.objects.count)
        let summary = try f.export([f.out("val.json").path, "--format", "coco", "--split", "val", "--json"])
        let report = try #require(try CLIHarness.json(summary.stdout) as? [String: Any])
        #expect(report["format"] as? String == "coco" && report["records"] as? Int == f.source.records(in: .val).count)
        #expect(try f.refused(["-", "--split", "val"]).contains("writes a folder"))
    }

    @Test func copyPutsPicturesAndRegionsInsideTheExport() throws {
        let f = try Fixture(count: 6)
        defer { f.remove() }
        let copied = f.out("copied")
        _ = try f.export([copied.path, "--copy"])
        let written = try SceneDataset.load(from: copied)
        try f.expectRecords(written, ids: f.source.records.map(\.id), copied: true)
        let inside = copied.standardizedFileURL.resolvingSymlinksInPath().path + "/"
        for (record, original) in zip(written.records, f.source.records) {
            #expect(URL(fileURLWithPath: record.imageFile).resolvingSymlinksInPath().path.hasPrefix(inside), "\(record.imageFile)")
            #expect(try Data(contentsOf: record.imagePath) == Data(contentsOf: original.imagePath))
            for (relation, source) in zip(record.relations, original.relations) {
                let region = try #require(relation.regionPath)
                #expect(region.resolvingSymlinksInPath().path.hasPrefix(inside + "regions/"))
                #expect(try Data(contentsOf: region) == Data(contentsOf: try #require(source.regionPath)))
            }
        }
        // Paths in the metadata are relative to the export, so the folder can move.
        let metadata = try String(contentsOf: copied.appendingPathComponent("metadata.json"), encoding: .utf8)
        #expect(metadata.contains("\"image_path\": \"images/000000.jpg\""))
        #expect(!metadata.contains(f.root.path))

        #expect(try f.refused([f.out("p").path, "--copy", "--format", "paths"]).contains("--copy works only with --format reference"))
        #expect(try f.refused([copied.path]).contains("exists and is not empty"))
        _ = try f.export([copied.path, "--force", "--ids", try idFile(f, ["000003"])])
        #expect(try SceneDataset.load(from: copied).records.map(\.id) == ["000003"])
    }

    func idFile(_ f: Fixture, _ ids: [String]) throws -> String {
        let url = f.out("ids.txt")
        try Data(ids.map { $0 + "\n" }.joined().utf8).write(to: url)
        return url.path
    }
}
