import EmbeddingCache
import Foundation
import Imaging
import Retrieval
import ScenarioModel
import Scenes
import Testing
@testable import SceneWorkspace

/// Twelve flat-colour scenes (two objects and one relation each); scenes 10 and 11 share scene 0's picture,
/// so one picture lands in several shards.
private func twelveScenes() -> [TestDataset.Scene] {
    (0..<12).map { i in
        let c = UInt8(20 * i + 10)
        let colour: [UInt8] = [c, 255 - c, UInt8((i * 53) % 256)]
        return TestDataset.Scene(
            id: "scene-\(i)", file: i >= 10 ? "images/p0.jpg" : "images/p\(i).jpg", colour: colour, action: "scene \(i)",
            objects: [("a", [255 - c, c, 40], PixelBox(x1: 2, y1: 2, x2: 12, y2: 12)),
                      ("b", [40, c, 255 - c], PixelBox(x1: 14, y1: 6, x2: 30, y2: 22))],
            relations: [("a", "near", "b")])
    }
}

@Suite struct CacheMergerTests {
    struct Bench {
        let data: TestDataset
        let dataset: SceneDataset
        let model = ColourEmbedder()
        init() throws {
            data = try TestDataset()
            try data.write(twelveScenes())
            dataset = try SceneDataset.load(from: data.root)
        }
        func url(_ name: String) -> URL { data.root.appendingPathComponent(name) }

        /// Indexes shard I of `count` into `shard-I.sqlite`.
        @discardableResult
        func indexShard(_ index: Int, of count: Int, model: ColourEmbedder? = nil, batchSize: Int = 2) throws -> URL {
            let url = url("shard-\(index).sqlite")
            let cache = try EmbeddingCache.open(at: url)
            let report = try SceneIndexer(dataset: dataset, cache: cache, model: model ?? self.model, batchSize: batchSize,
                                          shard: try ShardSpec(index: index, count: count)).run()
            #expect(report.failures.isEmpty && report.searchLists.isEmpty)
            return url
        }
    }

    @Test func mergedShardsEqualOneMachineIndex() throws {
        let bench = try Bench()
        defer { bench.data.remove() }
        let single = try EmbeddingCache.open(at: bench.url("single.sqlite"))
        _ = try SceneIndexer(dataset: bench.dataset, cache: single, model: bench.model, batchSize: 5, listsMinimumRows: 8).run()
        let shards = try (0..<3).map { try bench.indexShard($0, of: 3) }
        // Each shard embeds only its scenes' items (plus a shared picture once in each shard that has it).
        let perShard = try shards.map { try EmbeddingCache.open(at: $0).vectorCounts().reduce(0) { $0 + $1.count } }
        #expect(perShard.reduce(0, +) < 3 * 12 * 4 && perShard.allSatisfy { $0 > 0 })

        let target = bench.url("merged.sqlite")
        let report = try CacheMerger.merge(dataset: bench.dataset, shards: shards, into: target, listsMinimumRows: 8)
        #expect(report.gaps.isEmpty && report.absentShards.isEmpty && report.repeatedShards.isEmpty)
        #expect(report.fingerprint == bench.model.fingerprint)
        let merged = try EmbeddingCache.open(at: target)
        for level in CacheLevel.allCases {
            let a = try single.loadLevel(fingerprint: bench.model.fingerprint, level: level)
            let b = try merged.loadLevel(fingerprint: bench.model.fingerprint, level: level)
            #expect(a.count > 0 && a.sceneIDs == b.sceneIDs && a.itemIndices == b.itemIndices)
            let x = a.matrix.withUnsafeBufferPointer { Array($0) }, y = b.matrix.withUnsafeBufferPointer { Array($0) }
            #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "\(level)")
            // Search lists trained once on the merged vectors equal those of the single run.
            #expect(a.searchLists?.assignments == b.searchLists?.assignments && a.searchLists != nil)
            // Same top-k for a query of each row.
            let index = try VectorIndex(dimension: b.width, count: b.count, compact: false) { _ = $0.initialize(from: y) }
            let reference = try VectorIndex(dimension: a.width, count: a.count, compact: false) { _ = $0.initialize(from: x) }
            for row in 0..<min(b.count, 6) {
                let query = Array(y[(row * b.width)..<((row + 1) * b.width)])
                #expect(try index.search(query, k: 5).map(\.row) == (try reference.search(query, k: 5).map(\.row)))
            }
        }
        // The shared picture (scenes 0, 10, 11) is reported when it fell in more than one shard.
        let sharedShards = Set(["scene-0", "scene-10", "scene-11"].map { ShardSpec.shard(ofSceneID: $0, count: 3) })
        #expect((report.duplicateKeys[.global] ?? 0) == (sharedShards.count > 1 ? 1 : 0))
        // Idempotent: merging again keeps the same vectors.
        _ = try CacheMerger.merge(dataset: bench.dataset, shards: shards, into: target, listsMinimumRows: 8)
        #expect(try merged.vectorCounts().map(\.count) == single.vectorCounts().map(\.count))
    }

    @Test func reportsGapsAndKeepsMarks() throws {
        let bench = try Bench()
        defer { bench.data.remove() }
        let shard0 = try bench.indexShard(0, of: 2)
        let target = bench.url("merged.sqlite")
        let existing = try EmbeddingCache.open(at: target)
        try existing.write { try $0.upsertMark(AnnotationMark(sceneID: "scene-3", targetKind: .scene, verdict: .wrong, note: "kept")) }
        try EmbeddingCache.open(at: shard0).write { try $0.upsertMark(AnnotationMark(sceneID: "scene-4", targetKind: .scene, verdict: .unsure)) }
        let report = try CacheMerger.merge(dataset: bench.dataset, shards: [shard0], into: target)
        #expect(report.absentShards == [1])
        let missing = bench.dataset.records.filter { !(try! ShardSpec(index: 0, count: 2)).contains(sceneID: $0.id) }
        #expect(!missing.isEmpty && report.gapScenes.allSatisfy { id in missing.contains { $0.id == id } })
        // Every relation region of a missing scene is a gap unless it shares the picture of a present scene.
        let shared = missing.filter { ["scene-10", "scene-11", "scene-0"].contains($0.id) }.count
        #expect((report.gaps[.relation] ?? 0) >= missing.count - shared && (report.gaps[.relation] ?? 0) <= missing.count)
        #expect(try existing.marks().map(\.sceneID).sorted() == ["scene-3", "scene-4"])
        #expect(try existing.marks(sceneID: "scene-3").first?.note == "kept")
    }

    @Test func refusesWithoutTouchingTheTarget() throws {
        let bench = try Bench()
        defer { bench.data.remove() }
        let shard0 = try bench.indexShard(0, of: 2)
        let target = bench.url("merged.sqlite")
        _ = try CacheMerger.merge(dataset: bench.dataset, shards: [shard0], into: target)
        let before = try EmbeddingCache.open(at: target).vectorCounts().map(\.count)

        func refused(_ shards: [URL], _ expected: String, dataset: SceneDataset? = nil) {
            #expect {
                _ = try CacheMerger.merge(dataset: dataset ?? bench.dataset, shards: shards, into: target)
            } throws: { error in
                let text = "\(error)"
                return text.contains(expected) ? true : { Issue.record("\(text)"); return false }()
            }
        }
        // Another model.
        let other = try EmbeddingCache.open(at: bench.url("other.sqlite"))
        _ = try SceneIndexer(dataset: bench.dataset, cache: other, model: ColourEmbedder(fingerprint: "colour-v2"), shard: try ShardSpec(index: 1, count: 2)).run()
        refused([shard0, bench.url("other.sqlite")], "other.sqlite holds vectors of model colour-v2, but \(shard0.path) of model colour-v1")
        // Another split.
        let third = try bench.indexShard(1, of: 3)
        refused([shard0, third], "shard-1.sqlite is 1/3, but \(shard0.path) is 0/2")
        // Missing and truncated shards.
        refused([shard0, bench.url("nothing.sqlite")], "nothing.sqlite does not exist")
        let truncated = bench.url("truncated.sqlite")
        let bytes = try Data(contentsOf: shard0)
        try bytes.prefix(bytes.count / 3).write(to: truncated)
        refused([truncated], "truncated.sqlite cannot be read")
        // A whole-dataset cache is not a shard.
        let whole = try EmbeddingCache.open(at: bench.url("whole.sqlite"))
        _ = try SceneIndexer(dataset: bench.dataset, cache: whole, model: bench.model).run()
        refused([bench.url("whole.sqlite")], "records no shard")
        // Other dataset content: a picture changed after the shard was indexed.
        let changed = try TestDataset()
        defer { changed.remove() }
        var scenes = twelveScenes()
        scenes[5].colour = [1, 2, 3]
        try changed.write(scenes)
        refused([shard0], "was indexed from other dataset content: scene scene-5", dataset: try SceneDataset.load(from: changed.root))
        // A merge already running into the same target.
        let lock = open(target.path + ".merge-lock", O_RDWR)
        #expect(lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) == 0)
        refused([shard0], "another merge into \(target.path) is running")
        close(lock)

        #expect(try EmbeddingCache.open(at: target).vectorCounts().map(\.count) == before)
    }
}
