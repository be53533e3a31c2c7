import EmbeddingCache
import Explorer
import Foundation
import Imaging
import ScenarioModel
import Scenes
import SceneWorkspace

/// An in-memory backend with a handful of scenes: search is substring matching scored by position, zero-shot
/// answers are fixed per scene, marks live in a dictionary. Counts calls so tests can check what ran.
final class FakeExplorerBackend: ExplorerBackend, @unchecked Sendable {
    let datasetName = "fake"
    private let lock = NSLock()
    private var storedMarks: [String: AnnotationMark] = [:]
    private(set) var searchCalls: [QueryRequest] = []
    var searchDelay: TimeInterval = 0
    var indexed = true
    /// When set, indexing ends with a finished report carrying this message (as a backend does after failures).
    var indexFailureMessage: String?
    private(set) var zeroShotCalls = 0
    let details: [SceneDetail]

    init(sceneCount: Int = 5) {
        let kinds = [
            ("dog chasing a ball", [("dog", PixelBox(x1: 10, y1: 60, x2: 90, y2: 120)), ("ball", PixelBox(x1: 120, y1: 90, x2: 150, y2: 120))],
             [("dog", "chasing", "ball")]),
            ("person holding a cup", [("person", PixelBox(x1: 40, y1: 10, x2: 110, y2: 150)), ("cup", PixelBox(x1: 100, y1: 70, x2: 130, y2: 100))],
             [("person", "holding", "cup")]),
            ("cat sleeping on a chair", [("cat", PixelBox(x1: 60, y1: 40, x2: 120, y2: 80)), ("chair", PixelBox(x1: 50, y1: 60, x2: 140, y2: 150))],
             [("cat", "on", "chair")]),
        ]
        details = (0..<sceneCount).map { i in
            let (action, objects, relations) = kinds[i % kinds.count]
            let objs = objects.map { ObjectAnnotation(name: $0.0, box: $0.1) }
            let rels = relations.map { r in
                RelationAnnotation(subject: r.0, predicate: r.1, object: r.2,
                    subjectIndex: objs.firstIndex { $0.name == r.0 }, objectIndex: objs.firstIndex { $0.name == r.2 },
                    region: objs.first { $0.name == r.0 }!.box.union(objs.first { $0.name == r.2 }!.box))
            }
            return SceneDetail(id: String(format: "scene-%03d", i), action: action,
                denseCaption: "A synthetic scene number \(i) where a \(action).", imageWidth: 160, imageHeight: 160,
                objects: objs, relations: rels, tags: [i % 2 == 0 ? "train" : "test"])
        }
    }

    func status() -> BackendStatus {
        BackendStatus(model: "fake-model", indexed: indexed, marksLocation: "memory")
    }

    func scenes() throws -> [SceneSummary] {
        details.map { SceneSummary(id: $0.id, action: $0.action, objects: $0.objects.map(\.name), relations: $0.relations.map(\.text), tags: $0.tags) }
    }

    func detail(sceneID: String) throws -> SceneDetail {
        guard let d = details.first(where: { $0.id == sceneID }) else { throw ExplorerError.unknownScene(id: sceneID) }
        return d
    }

    /// Grey picture with each object's box filled red (objects) so alignment can be checked.
    func image(sceneID: String) throws -> RGBImage {
        let d = try detail(sceneID: sceneID)
        var image = RGBImage(width: d.imageWidth, height: d.imageHeight, pixels: [UInt8](repeating: 40, count: d.imageWidth * d.imageHeight * 3))
        for object in d.objects.prefix(1) {
            for y in object.box.y1..<object.box.y2 {
                for x in object.box.x1..<object.box.x2 {
                    let i = (y * d.imageWidth + x) * 3
                    image.pixels[i] = 250; image.pixels[i + 1] = 0; image.pixels[i + 2] = 0
                }
            }
        }
        return image
    }

    func search(_ request: QueryRequest) throws -> [WorkspaceHit] {
        lock.withLock { searchCalls.append(request) }
        if searchDelay > 0 { Thread.sleep(forTimeInterval: searchDelay) }
        let needle = request.text.lowercased()
        if needle.hasPrefix("!") { throw ExplorerError.query("cannot parse '\(request.text)'") }
        var hits: [WorkspaceHit] = []
        for d in details {
            switch request.scope {
            case .global, .all:
                if d.action.contains(needle) { hits.append(WorkspaceHit(sceneID: d.id, level: .global, index: 0, label: d.action, region: nil, score: 0.9 - Float(hits.count) * 0.01)) }
            case .object:
                for (i, o) in d.objects.enumerated() where o.name.contains(needle) {
                    hits.append(WorkspaceHit(sceneID: d.id, level: .object, index: i, label: o.name, region: o.box, score: 0.8 - Float(hits.count) * 0.01))
                }
            case .relation:
                for (i, r) in d.relations.enumerated() where r.text.contains(needle) {
                    hits.append(WorkspaceHit(sceneID: d.id, level: .relation, index: i, label: r.text, region: r.region, score: 0.7 - Float(hits.count) * 0.01))
                }
            }
        }
        return Array(hits.prefix(request.limit))
    }

    func moreLikeThis(sceneID: String, target: AnnotationMark.Target, limit: Int) throws -> [WorkspaceHit] {
        let action = try detail(sceneID: sceneID).action
        return details.filter { $0.action == action && $0.id != sceneID }.map {
            WorkspaceHit(sceneID: $0.id, level: .global, index: 0, label: $0.action, region: nil, score: 0.95)
        }
    }

    func zeroShot(sceneID: String) throws -> SceneZeroShot {
        lock.withLock { zeroShotCalls += 1 }
        let d = try detail(sceneID: sceneID)
        // The model always puts "dog chasing a ball" first, and mistakes every cup for a bowl.
        let actions = [ClassScore(label: "dog chasing a ball", score: 0.41), ClassScore(label: "person holding a cup", score: 0.30),
                       ClassScore(label: "cat sleeping on a chair", score: 0.12)]
        return SceneZeroShot(sceneID: sceneID, items:
            [ZeroShotItem(level: .global, index: 0, annotated: d.action, ranking: Array(actions.prefix(1)))]
            + d.objects.enumerated().map { i, o in
                ZeroShotItem(level: .object, index: i, annotated: o.name,
                             ranking: [ClassScore(label: o.name == "cup" ? "bowl" : o.name, score: 0.33)])
            }
            + d.relations.enumerated().map { i, r in
                ZeroShotItem(level: .relation, index: i, annotated: r.text, ranking: [ClassScore(label: r.text, score: 0.28)])
            })
    }

    func reviewQueue(limit: Int) throws -> [String] {
        try details.map { ($0.id, try zeroShot(sceneID: $0.id).disagreements) }
            .filter { $0.1 > 0 }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.map(\.0)
    }

    private func key(_ id: String, _ target: AnnotationMark.Target) -> String { "\(id)|\(target)" }

    func marks(sceneID: String?) throws -> [AnnotationMark] {
        lock.withLock { storedMarks.values.filter { sceneID == nil || $0.sceneID == sceneID }.sorted { ($0.sceneID, $0.target.description) < ($1.sceneID, $1.target.description) } }
    }

    func setMark(_ mark: AnnotationMark) throws { lock.withLock { storedMarks[key(mark.sceneID, mark.target)] = mark } }

    func removeMark(sceneID: String, target: AnnotationMark.Target) throws { lock.withLock { storedMarks[key(sceneID, target)] = nil } }

    func index(progress: @escaping @Sendable (IndexProgress) -> Void, cancel: CancellationFlag) throws {
        for i in 1...4 {
            if cancel.isCancelled { return }
            progress(IndexProgress(done: i, total: 4))
        }
        if let indexFailureMessage {
            progress(IndexProgress(done: 4, total: 4, finished: true, message: indexFailureMessage))
            return
        }
        indexed = true
    }
}
