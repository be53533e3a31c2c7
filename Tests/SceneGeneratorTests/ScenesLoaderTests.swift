import Foundation
import Imaging
import Scenes
import Testing
import SceneGenerator

/// Datasets the generator writes load through the Scenes module without a single problem.
@Suite struct ScenesLoaderTests {
    @Test func demoLoadsCleanlyWithImagesChecked() throws {
        let demo = repositoryRoot.appendingPathComponent("Assets/demo", isDirectory: true)
        let dataset = try SceneDataset.load(from: demo, options: LoadOptions(checkImages: true))
        #expect(dataset.problems.isEmpty, "\(dataset.problems.prefix(5))")
        #expect(dataset.records.count == 300)
        #expect(dataset.hasClassesFile)
        let unseen = dataset.records.filter { $0.unseen == true }
        #expect(!unseen.isEmpty && unseen.allSatisfy { $0.declaredSplit == .test })
    }

    @Test func freshDatasetLoadsWithTheGeneratorsSplits() throws {
        let dir = temporaryDirectory("loader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let g = try SceneGenerator(seed: 31, width: 160, height: 120)
        try DatasetWriter(directory: dir, quality: 75).write(g, count: 6)
        let dataset = try SceneDataset.load(from: dir, options: LoadOptions(checkImages: true))
        #expect(dataset.problems.isEmpty, "\(dataset.problems.prefix(5))")
        for (i, record) in dataset.records.enumerated() {
            let scene = try g.scene(at: i)
            #expect(record.id == scene.id && record.action == scene.action)
            #expect(record.declaredSplit?.rawValue == scene.split.rawValue)
            #expect(record.objects.map(\.box) == scene.objects.map(\.box))
            #expect(record.relations.count == scene.relations.count)
            #expect(record == scene.record(in: dir))
        }
    }
}
