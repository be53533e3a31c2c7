import EmbeddingCache
import Foundation
import Imaging
import Retrieval
import ScenarioModel
import Scenes
import Testing
@testable import SceneWorkspace

private let red: [UInt8] = [230, 20, 20]
private let green: [UInt8] = [20, 220, 20]
private let blue: [UInt8] = [20, 20, 230]
private let yellow: [UInt8] = [230, 230, 20]

/// Four scenes: a coloured background with two coloured object boxes and one relation.
private func scenes() -> [TestDataset.Scene] {
    [
        .init(id: "s1", file: "images/a.jpg", colour: red, action: "red scene",
              objects: [("blue", blue, PixelBox(x1: 2, y1: 2, x2: 12, y2: 12)), ("red", red, PixelBox(x1: 16, y1: 4, x2: 30, y2: 20))],
              relations: [("red", "near", "blue")]),
        .init(id: "s2", file: "images/b.jpg", colour: green, action: "green scene",
              objects: [("yellow", yellow, PixelBox(x1: 0, y1: 0, x2: 10, y2: 10)), ("green", green, PixelBox(x1: 12, y1: 12, x2: 28, y2: 22))],
              relations: [("green", "near", "yellow")]),
        .init(id: "s3", file: "images/c.jpg", colour: blue, action: "blue scene",
              objects: [("red", red, PixelBox(x1: 4, y1: 4, x2: 14, y2: 14)), ("blue", blue, PixelBox(x1: 16, y1: 2, x2: 30, y2: 22))],
              relations: [("blue", "near", "red")]),
        // Mislabelled on purpose: a yellow picture annotated as a red scene.
        .init(id: "s4", file: "images/d.jpg", colour: yellow, action: "red scene"),
    ]
}

private func open(_ data: TestDataset, model: ColourEmbedder) throws -> (SceneDataset, EmbeddingCache, SceneIndexer) {
    let dataset = try SceneDataset.load(from: data.root)
    #expect(!dataset.hasErrors, "\(dataset.errors)")
    let cache = try EmbeddingCache.open(at: data.root.appendingPathComponent("cache.sqlite"))
    return (dataset, cache, SceneIndexer(dataset: dataset, cache: cache, model: model, batchSize: 3, workers: 2))
}

@Suite struct SceneIndexerTests {
    @Test func indexesEveryLevelOnceThenReusesEverything() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write(scenes())
        let model = ColourEmbedder()
        let (_, cache, indexer) = try open(data, model: model)
        #expect(try indexer.missingItemCount() == 13)
        let first = try indexer.run()
        #expect(try indexer.missingItemCount() == 0)
        // 4 global + 6 object + 3 relation items.
        #expect(first.progress.total == 13)
        #expect(first.embedded[.global] == 4 && first.embedded[.object] == 6 && first.embedded[.relation] == 3)
        #expect(first.failures.isEmpty)
        #expect(model.imagesEmbedded == 13)
        model.resetCount()
        let second = try indexer.run()
        #expect(second.progress.total == 0 && second.progress.reused == 13)
        #expect(model.imagesEmbedded == 0)
        #expect(try cache.loadLevel(fingerprint: model.fingerprint, level: .object).count == 6)
    }

    @Test func renamedFilesReuseVectorsAndChangedFilesAreReembedded() throws {
        let data = try TestDataset()
        defer { data.remove() }
        var all = scenes()
        try data.write(all)
        let model = ColourEmbedder()
        _ = try open(data, model: model).2.run()

        // Rename s1's image: same content, new path → nothing new to embed.
        try FileManager.default.moveItem(at: data.root.appendingPathComponent("images/a.jpg"),
                                         to: data.root.appendingPathComponent("images/renamed.jpg"))
        all[0].file = "images/renamed.jpg"
        try data.write(all, imagesToo: false)
        model.resetCount()
        let afterRename = try open(data, model: model).2.run()
        #expect(afterRename.progress.total == 0)
        #expect(model.imagesEmbedded == 0)

        // Repaint s4 (global only): exactly one new embedding.
        all[3].colour = blue
        try data.writeImage(all[3])
        model.resetCount()
        let afterChange = try open(data, model: model).2.run()
        #expect(afterChange.progress.total == 1)
        #expect(model.imagesEmbedded == 1)

        // Delete s2: its items leave the searchable matrix.
        all.remove(at: 1)
        try data.write(all, imagesToo: false)
        let (dataset, cache, indexer) = try open(data, model: model)
        _ = try indexer.run()
        let global = try cache.loadLevel(fingerprint: model.fingerprint, level: .global)
        #expect(Set(global.sceneIDs) == ["s1", "s3", "s4"])
        let workspace = Workspace(dataset: dataset, cache: cache, model: model)
        let hits = try workspace.search(QueryExpression(parsing: "green"), level: .global, k: 10)
        #expect(!hits.contains { $0.sceneID == "s2" })
    }

    @Test func cancelledRunResumesWithoutLossOrDuplicates() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write(scenes())
        let model = ColourEmbedder()
        let (_, cache, indexer) = try open(data, model: model)
        var batches = 0
        let partial = try indexer.run(progress: { _ in batches += 1 }, isCancelled: { batches >= 2 })
        #expect(partial.cancelled)
        #expect(partial.progress.done == 3)   // one batch of 3 committed
        let resumed = try indexer.run()
        #expect(!resumed.cancelled)
        #expect(resumed.progress.total == 10 && resumed.progress.reused == 3)
        let counts = try cache.vectorCounts().filter { $0.fingerprint == model.fingerprint }
        #expect(counts.reduce(0) { $0 + $1.count } == 13)
    }

    @Test func unreadableImageIsAFailureNamingTheFile() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write(scenes())
        try Data("not a jpeg".utf8).write(to: data.root.appendingPathComponent("images/d.jpg"))
        let model = ColourEmbedder()
        let report = try open(data, model: model).2.run()
        #expect(report.progress.failed == 1)
        #expect(report.failures.count == 1 && report.failures[0].contains("images/d.jpg"))
        #expect(report.embedded[.global] == 3)
    }
}

@Suite struct WorkspaceTests {
    private func indexed() throws -> (TestDataset, Workspace) {
        let data = try TestDataset()
        try data.write(scenes())
        let model = ColourEmbedder()
        let (dataset, cache, indexer) = try open(data, model: model)
        _ = try indexer.run()
        return (data, Workspace(dataset: dataset, cache: cache, model: model))
    }

    @Test func textQueriesRankByColourAtEachLevel() throws {
        let (data, workspace) = try indexed()
        defer { data.remove() }
        let global = try workspace.search(QueryExpression(parsing: "green"), level: .global, k: 2)
        #expect(global.first?.sceneID == "s2")
        #expect(global.first?.label == "green scene")
        let objects = try workspace.search(QueryExpression(parsing: "yellow"), level: .object, k: 1)
        #expect(objects.first?.sceneID == "s2" && objects.first?.index == 0 && objects.first?.label == "yellow")
        // "yellow" alone finds the yellow picture; subtracting "red" leaves green, so the green scene wins.
        let yellowOnly = try workspace.search(QueryExpression(parsing: "yellow"), level: .global, k: 1)
        #expect(yellowOnly.first?.sceneID == "s4")
        let combined = try workspace.search(QueryExpression(parsing: "\"yellow\" - \"red\""), level: .global, k: 1)
        #expect(combined.first?.sceneID == "s2")
    }

    @Test func moreLikeThisExcludesTheItemItself() throws {
        let (data, workspace) = try indexed()
        defer { data.remove() }
        let similar = try workspace.similar(toScene: "s1", level: .object, index: 0, k: 3)
        #expect(!similar.contains { $0.sceneID == "s1" && $0.index == 0 })
        #expect(similar.first?.sceneID == "s3" && similar.first?.label == "blue")
    }

    @Test func scenesMissingGlobalVectorsEmptiesWhenIndexed() throws {
        let data = try TestDataset()
        defer { data.remove() }
        try data.write(scenes())
        let model = ColourEmbedder()
        let (dataset, cache, indexer) = try open(data, model: model)
        let workspace = Workspace(dataset: dataset, cache: cache, model: model)
        #expect(try workspace.scenesMissingGlobalVectors() == ["s1", "s2", "s3", "s4"])
        _ = try indexer.run()
        workspace.reload()
        #expect(try workspace.scenesMissingGlobalVectors().isEmpty)
        // Another model's vectors do not count.
        let other = Workspace(dataset: dataset, cache: cache, model: ColourEmbedder(fingerprint: "colour-v2"))
        #expect(try other.scenesMissingGlobalVectors().count == 4)
    }

    @Test func regionsOfHitsComeFromTheAnnotation() throws {
        let (data, workspace) = try indexed()
        defer { data.remove() }
        #expect(workspace.region(sceneID: "s1", level: .object, index: 1) == PixelBox(x1: 16, y1: 4, x2: 30, y2: 20))
        // s1's relation is "red near blue": the union of the red and the blue box.
        #expect(workspace.region(sceneID: "s1", level: .relation, index: 0) == PixelBox(x1: 2, y1: 2, x2: 30, y2: 20))
        #expect(workspace.region(sceneID: "s1", level: .global, index: 0) == nil)
        #expect(workspace.region(sceneID: "s1", level: .object, index: 2) == nil)
        #expect(workspace.region(sceneID: "nope", level: .object, index: 0) == nil)
        let hit = try #require(try workspace.search(QueryExpression(parsing: "yellow"), level: .object, k: 1).first)
        #expect(workspace.region(sceneID: hit.sceneID, level: .object, index: hit.index) == PixelBox(x1: 0, y1: 0, x2: 10, y2: 10))
    }

    @Test func zeroShotFlagsTheMislabelledScene() throws {
        let (data, workspace) = try indexed()
        defer { data.remove() }
        let s4 = try workspace.zeroShot(sceneID: "s4", k: 1)
        #expect(s4.items.count == 1)
        #expect(s4.items[0].ranking.first?.label == "yellow scene")
        #expect(!s4.items[0].agrees)
        let s1 = try workspace.zeroShot(sceneID: "s1", k: 1)
        #expect(s1.items.count == 4 && s1.disagreements == 0)
        let queue = try workspace.reviewQueue(k: 1)
        #expect(queue.map(\.sceneID) == ["s4"])
        #expect(throws: SceneWorkspaceError.unknownScene("nope")) { try workspace.zeroShot(sceneID: "nope") }
    }

    @Test func evaluationCountsWithTheReferenceRules() throws {
        let (data, workspace) = try indexed()
        defer { data.remove() }
        let report = try workspace.evaluate(split: nil, ks: [1, 2])
        #expect(report.overall.scenes == 4)
        // Actions: s1, s2, s3 right at top-1; s4 (yellow picture called "red scene") wrong at top-1.
        #expect(report.overall.actions.total == 4 && report.overall.actions.hits[0] == 3)
        #expect(report.overall.objects.total == 6 && report.overall.objects.hits[0] == 6)
        #expect(report.overall.relations.total == 3)
        #expect(report.seen == nil && report.unseen == nil)
        #expect(report.retrieval?.imageToText.total == 4)
    }

    @Test func probeLearnsActionsFromCachedEmbeddings() throws {
        let data = try TestDataset()
        defer { data.remove() }
        // 40 scenes in four colours, declared splits.
        let colours: [(String, [UInt8])] = [("red", red), ("green", green), ("blue", blue), ("yellow", yellow)]
        var list: [TestDataset.Scene] = []
        for i in 0..<40 {
            let (name, colour) = colours[i % 4]
            let shade = UInt8(i * 2)
            list.append(.init(id: "p\(i)", file: "images/p\(i).jpg", colour: colour.map { $0 > 100 ? $0 - shade : $0 + shade },
                              action: "\(name) scene", split: i < 28 ? "train" : "test"))
        }
        try data.write(list)
        let model = ColourEmbedder()
        let (dataset, cache, indexer) = try open(data, model: model)
        _ = try indexer.run()
        let workspace = Workspace(dataset: dataset, cache: cache, model: model)
        var settings = LinearProbeSettingsForTests.make()
        settings.epochs = 60
        let result = try workspace.probe(level: .global, settings: settings, ks: [1])
        #expect(result.trainItems == 28 && result.testItems == 12)
        #expect(result.test.accuracy(at: 1) == 1)
    }
}
