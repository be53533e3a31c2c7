import EmbeddingCache
import Explorer
import Foundation
import Imaging
import ScenarioModel
import SceneWorkspace
import Retrieval
import Scenes
import Testing

/// The live backend over a real dataset, cache and workspace (with a colour model standing in for CLIP):
/// what it shows must be what the workspace computes, with regions, scores and explorer errors.
@Suite struct LiveBackendTests {
    struct Fixture {
        let root: URL
        let model = MeanColourEmbedder()
        let workspace: Workspace
        let backend: LiveExplorerBackend

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("scl-live-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            let dataset = try SceneDataset.load(from: try TinyDataset.write(to: root.appendingPathComponent("tiny")))
            let cache = try EmbeddingCache.open(at: root.appendingPathComponent("cache.sqlite"))
            workspace = Workspace(dataset: dataset, cache: cache, model: model)
            backend = try LiveExplorerBackend(workspace: workspace, modelName: "colours")
        }

        func index() throws {
            let finished = Finished()
            try backend.index(progress: { if $0.finished { finished.set($0) } }, cancel: CancellationFlag())
            #expect(finished.value?.message == nil)
            // Scenes i and i+3 share their pictures, so 3 × (global, 2 objects, 1 relation) distinct items.
            #expect(finished.value?.done == 3 * 4)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    final class Finished: @unchecked Sendable {
        private let lock = NSLock()
        private var progress: IndexProgress?
        func set(_ p: IndexProgress) { lock.withLock { progress = p } }
        var value: IndexProgress? { lock.withLock { progress } }
    }

    @Test func searchesBeforeIndexingSayWhyAndAfterIndexingRankRegions() throws {
        let f = try Fixture()
        defer { f.remove() }
        #expect(f.backend.status() == BackendStatus(model: "colours", indexed: false, marksLocation: f.backend.cache.path))
        #expect { try f.backend.search(QueryRequest(text: "yellow", scope: .object)) } throws: { error in
            "\(error)".contains("not indexed") && "\(error)".contains("press I")
        }
        try f.index()
        #expect(f.backend.status().indexed)

        // The yellow regions are every scene's second object; each hit carries that object's box.
        let hits = try f.backend.search(QueryRequest(text: "yellow", scope: .object, limit: 6))
        #expect(hits.count == 6)
        for hit in hits {
            let record = try #require(f.workspace.dataset.record(id: hit.sceneID))
            #expect(hit.level == .object && hit.index == 1)
            #expect(hit.label == record.objects[1].name && hit.region == record.objects[1].box)
        }
        #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
        // The same ranking the workspace gives (`scenarioclip query` uses it too).
        let direct = try f.workspace.search(QueryExpression(parsing: "yellow"), level: .object, k: 6)
        #expect(hits.map(\.sceneID) == direct.map(\.sceneID) && hits.map(\.score) == direct.map(\.score))

        // Whole scenes: no region; relations: the union of subject and object boxes.
        let global = try f.backend.search(QueryRequest(text: "green", scope: .global, limit: 3))
        #expect(global.count == 3 && global.allSatisfy { $0.region == nil && $0.index == 0 && $0.level == .global })
        let relation = try #require(try f.backend.search(QueryRequest(text: "orange", scope: .relation, limit: 1)).first)
        let record = try #require(f.workspace.dataset.record(id: relation.sceneID))
        #expect(relation.region == record.unionBox(of: record.relations[0]))

        // All levels merged by score, limited, and a weighted expression.
        let all = try f.backend.search(QueryRequest(text: #""2:yellow" - "green""#, scope: .all, limit: 30))
        #expect(all.count == 6 + 12 + 6 && all.map(\.score) == all.map(\.score).sorted(by: >))
        #expect(Set(all.map(\.level)) == [.global, .object, .relation])
        #expect(try f.backend.search(QueryRequest(text: "yellow", scope: .all, limit: 5)).count == 5)
    }

    @Test func badQueriesAreExplorerErrors() throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.index()
        #expect(throws: ExplorerError.self) { try f.backend.search(QueryRequest(text: #""dog" + "ball"#, scope: .global)) }
        #expect(throws: ExplorerError.self) { try f.backend.search(QueryRequest(text: #""dog" - "dog""#, scope: .global)) }
        #expect { try f.backend.search(QueryRequest(text: "img:/nonexistent/x.jpg", scope: .global)) } throws: { error in
            error is ExplorerError && "\(error)".contains("/nonexistent/x.jpg")
        }
        #expect(throws: ExplorerError.unknownScene(id: "nope")) { try f.backend.zeroShot(sceneID: "nope") }
    }

    @Test func moreLikeThisLeavesTheItemOut() throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.index()
        let similar = try f.backend.moreLikeThis(sceneID: "tiny-000", target: .object(1), limit: 3)
        #expect(similar.count == 3)
        #expect(!similar.contains { $0.sceneID == "tiny-000" && $0.index == 1 })
        #expect(similar.allSatisfy { $0.index == 1 })  // the other yellow objects
    }

    @Test func zeroShotMatchesTheWorkspaceAndReadsClassTextsFromTheCache() throws {
        let f = try Fixture()
        defer { f.remove() }
        try f.index()
        let report = try f.backend.zeroShot(sceneID: "tiny-001")
        let direct = try f.workspace.zeroShot(sceneID: "tiny-001", k: LiveExplorerBackend.agreementTopK)
        #expect(report.item(.global, 0)?.annotated == "person holding a cup")
        #expect(report.items(.object).map(\.annotated) == ["person", "cup"])
        // The orange person ranks the orange classes first; the yellow cup the yellow ones.
        #expect(Set(report.items(.object)[0].ranking.prefix(3).map(\.label)) == ["cat", "dog", "person"])
        #expect(Set(report.items(.object)[1].ranking.prefix(3).map(\.label)) == ["ball", "chair", "cup"])
        #expect(report.disagreements == 0)
        #expect(report == direct)
        #expect(try f.backend.reviewQueue(limit: 10) == (try f.workspace.reviewQueue(k: LiveExplorerBackend.agreementTopK, limit: 10).map(\.sceneID)))

        // A second start over the same cache ranks without embedding a single class text again.
        let model = MeanColourEmbedder()
        let again = try LiveExplorerBackend(
            workspace: Workspace(dataset: f.workspace.dataset, cache: f.workspace.cache, model: model), modelName: "colours")
        let second = try again.zeroShot(sceneID: "tiny-001")
        #expect(second.items(.object).map { $0.ranking.map(\.label) } == report.items(.object).map { $0.ranking.map(\.label) })
        #expect(model.textsEmbedded == 0)
    }

    @Test func sceneTagsNameEachScenesSplitAndUnseenScenes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scl-live-tags-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let records = (0..<24).map { i in
            SceneRecord(
                id: "s\(i)", imageFile: root.appendingPathComponent("\(i).jpg").path, action: "a", objects: [], relations: [],
                declaredSplit: i % 5 == 0 ? .val : nil, unseen: [true, false, nil][i % 3],
                sourceFile: root.appendingPathComponent("metadata.json"), indexInFile: i)
        }
        let dataset = SceneDataset(root: root, records: records)
        let cache = try EmbeddingCache.open(at: root.appendingPathComponent("cache.sqlite"))
        let backend = try LiveExplorerBackend(
            workspace: Workspace(dataset: dataset, cache: cache, model: MeanColourEmbedder()), modelName: "colours")
        let splits = dataset.splits()
        let scenes = try backend.scenes()
        #expect(scenes.map(\.id) == records.map(\.id))
        for (i, scene) in scenes.enumerated() {
            #expect(scene.tags == [splits[i].rawValue] + (records[i].unseen == true ? ["unseen"] : []), "scene \(i)")
        }
        #expect(Set(scenes.map(\.tags)).count == 6)  // every split, with and without "unseen"
        #expect(try backend.detail(sceneID: "s3").tags == scenes[3].tags)
    }

    /// Counts calls of a model loader (called from the backend's background thread).
    final class LoadCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var calls = 0
        func bump() { lock.withLock { calls += 1 } }
        var count: Int { lock.withLock { calls } }
    }

    /// A backend over the tiny dataset on disk whose model loader counts its calls.
    private func openedBackend(in root: URL, loads: LoadCounter) throws -> LiveExplorerBackend {
        try LiveExplorerBackend(
            datasetURL: try TinyDataset.write(to: root.appendingPathComponent("tiny")), cacheURL: root.appendingPathComponent("cache.sqlite"),
            modelName: "colours", loadModel: { loads.bump(); return MeanColourEmbedder() })
    }

    @Test func theModelLoadsOnceTheSessionHasItsFirstScene() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scl-live-start-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        let loads = LoadCounter()
        let backend = try openedBackend(in: root, loads: loads)
        // Opening reads the dataset and the cache only: the model waits for the session.
        #expect(loads.count == 0)
        #expect(backend.status().model == nil)
        #expect(backend.status().modelProblem == "loading the model…")
        let session = try ExplorerSession(backend: backend, size: GridSize(columns: 100, rows: 30),
            theme: try Theme.load(named: "dark"), pictureMode: .off, runsInBackground: true)
        #expect(session.state.sceneView.detail?.id == backend.dataset.records.first?.id)
        _ = try backend.workspace()  // waits for the background load the session started
        #expect(loads.count == 1)
        #expect(backend.status().model == "colours")
        #expect(session.refreshStatus(autoIndex: false))
        #expect(session.state.backendStatus.model == "colours")
        backend.startBackgroundWork()  // started already: nothing more happens
        #expect(loads.count == 1)
    }

    @Test func aModelFeatureStartsTheLoadWhenNobodyElseDid() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scl-live-lazy-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        let loads = LoadCounter()
        let backend = try openedBackend(in: root, loads: loads)
        #expect(loads.count == 0)
        // No session: the first feature that needs the model starts the load and waits for it.
        #expect { try backend.search(QueryRequest(text: "yellow", scope: .object)) } throws: { error in
            "\(error)".contains("not indexed")
        }
        #expect(loads.count == 1)
        #expect(backend.status().model == "colours")
        _ = try backend.workspace()
        #expect(loads.count == 1)
    }
}
