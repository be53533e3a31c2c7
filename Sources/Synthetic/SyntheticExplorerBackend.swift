import EmbeddingCache
import Explorer
import Foundation
import Imaging
import Numerics
import Retrieval
import ScenarioModel
import Scenes
import SceneWorkspace

/// A generated dataset of any size held in memory, for benchmarks: scenes built from a small vocabulary,
/// random unit vectors per scene/object/relation, a hashed bag-of-words text encoder (not a CLIP model),
/// and pictures decoded from a few JPEG files. Search runs the same ``VectorIndex`` scan as the workspace
/// behind the live backend, over every vector.
public final class SyntheticExplorerBackend: ExplorerBackend, @unchecked Sendable {
    public let datasetName: String
    let width: Int
    let summaries: [SceneSummary]
    let global: SceneVectors
    let objects: SceneVectors
    let pictures: [URL]
    private let lock = NSLock()
    private var marksByKey: [String: AnnotationMark] = [:]

    static let subjects = ["person", "dog", "cat", "child", "woman", "man"]
    static let things = ["ball", "cup", "chair", "table", "bicycle", "book", "lamp", "car", "tree"]
    static let predicates = ["holding", "chasing", "on", "next to", "riding", "under"]

    /// `scenes` scenes with `width`-wide vectors; pictures cycle through `pictures` (JPEG files).
    /// - Throws: when the generated vectors cannot be indexed (never for sensible sizes).
    public init(scenes: Int, width: Int = 512, pictures: [URL], seed: UInt64 = 7) throws {
        datasetName = "synthetic-\(scenes)"
        self.width = width
        self.pictures = pictures
        var rng = SplitMix64(seed: seed)
        var summaries: [SceneSummary] = []
        summaries.reserveCapacity(scenes)
        var objectIDs: [String] = [], objectItems: [Int] = []
        for i in 0..<scenes {
            let s = Self.subjects[Int(rng.next() % UInt64(Self.subjects.count))]
            let o = Self.things[Int(rng.next() % UInt64(Self.things.count))]
            let p = Self.predicates[Int(rng.next() % UInt64(Self.predicates.count))]
            let id = String(format: "syn-%07d", i)
            summaries.append(SceneSummary(id: id, action: "\(s) \(p) a \(o)", objects: [s, o], relations: ["\(s) \(p) \(o)"], tags: [i % 5 == 0 ? "test" : "train"]))
            objectIDs += [id, id]
            objectItems += [0, 1]
        }
        self.summaries = summaries
        // Clustered random vectors (Retrieval's generator), filled on all cores.
        let embeddings = SyntheticEmbeddings(dimension: width, clusters: 256, seed: seed)
        let globalIndex = try VectorIndex(dimension: width, count: scenes, parallelRows: { row, out in embeddings.write(item: row, stream: 0, into: out) })
        let objectIndex = try VectorIndex(dimension: width, count: objectIDs.count, parallelRows: { row, out in embeddings.write(item: row, stream: 1, into: out) })
        global = SceneVectors(index: globalIndex, sceneIDs: summaries.map(\.id), itemIndices: Array(repeating: 0, count: scenes))
        objects = SceneVectors(index: objectIndex, sceneIDs: objectIDs, itemIndices: objectItems)
    }

    public func status() -> BackendStatus {
        BackendStatus(model: "hashed words (synthetic)", indexed: true, marksLocation: "memory")
    }

    public func scenes() throws -> [SceneSummary] { summaries }

    func index(of id: String) throws -> Int {
        guard id.hasPrefix("syn-"), let i = Int(id.dropFirst(4)), summaries.indices.contains(i) else { throw ExplorerError.unknownScene(id: id) }
        return i
    }

    public func detail(sceneID: String) throws -> SceneDetail {
        let s = summaries[try index(of: sceneID)]
        let boxes = [PixelBox(x1: 20, y1: 40, x2: 120, y2: 230), PixelBox(x1: 130, y1: 120, x2: 220, y2: 200)]
        return SceneDetail(id: s.id, action: s.action, denseCaption: "A synthetic scene: \(s.action).", imageWidth: 256, imageHeight: 256,
            objects: zip(s.objects, boxes).map { ObjectAnnotation(name: $0, box: $1) },
            relations: [RelationAnnotation(subject: s.objects[0], predicate: String(s.relations[0].dropFirst(s.objects[0].count + 1).dropLast(s.objects[1].count + 1)),
                object: s.objects[1], subjectIndex: 0, objectIndex: 1, region: boxes[0].union(boxes[1]))],
            tags: s.tags)
    }

    public func image(sceneID: String) throws -> RGBImage {
        guard !pictures.isEmpty else { throw ExplorerError.picture(sceneID: sceneID, message: "no pictures") }
        return try Picture.decode(contentsOf: pictures[try index(of: sceneID) % pictures.count])
    }

    /// A hashed bag-of-words vector: each word adds a pseudo-random unit direction.
    func textVector(_ text: String) -> [Float] {
        var v = [Float](repeating: 0, count: width)
        for word in text.lowercased().split(separator: " ") {
            // FNV-1a of the word: the same vector in every run.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in word.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            var rng = SplitMix64(seed: hash)
            for j in 0..<width { v[j] += Float(Int64(rng.next() % 2001) - 1000) / 1000 }
        }
        return v
    }

    public func search(_ request: QueryRequest) throws -> [WorkspaceHit] {
        let query: [Float]
        do {
            query = try QueryExpression(parsing: request.text).embedding { term in
                guard case .text(let text) = term.kind else { throw ExplorerError.query("the synthetic backend has no image tower") }
                return textVector(text)
            }
        } catch let error as ExplorerError {
            throw error
        } catch {
            throw ExplorerError.query("\(error)")
        }
        let useObjects = request.scope == .object
        let vectors = useObjects ? objects : global
        return try vectors.top(query, limit: request.limit).map { row, score in
            let id = vectors.sceneIDs[row], item = vectors.itemIndices[row]
            let d = try detail(sceneID: id)
            return useObjects
                ? WorkspaceHit(sceneID: id, level: .object, index: item, label: d.objects[item].name, region: d.objects[item].box, score: score)
                : WorkspaceHit(sceneID: id, level: .global, index: 0, label: d.action, region: nil, score: score)
        }
    }

    public func moreLikeThis(sceneID: String, target: AnnotationMark.Target, limit: Int) throws -> [WorkspaceHit] {
        let row = try index(of: sceneID)
        return try global.top(global.vector(row), limit: limit + 1).filter { $0.0 != row }.map {
            WorkspaceHit(sceneID: global.sceneIDs[$0.0], level: .global, index: 0, label: summaries[$0.0].action, region: nil, score: $0.1)
        }
    }

    public func zeroShot(sceneID: String) throws -> SceneZeroShot {
        throw ExplorerError.unavailable("zero-shot needs a model; the synthetic backend has none")
    }

    public func reviewQueue(limit: Int) throws -> [String] {
        throw ExplorerError.unavailable("the review queue needs a model; the synthetic backend has none")
    }

    public func marks(sceneID: String?) throws -> [AnnotationMark] {
        lock.withLock { marksByKey.values.filter { sceneID == nil || $0.sceneID == sceneID } }
    }

    public func setMark(_ mark: AnnotationMark) throws { lock.withLock { marksByKey["\(mark.sceneID)|\(mark.target)"] = mark } }

    public func removeMark(sceneID: String, target: AnnotationMark.Target) throws { lock.withLock { marksByKey["\(sceneID)|\(target)"] = nil } }

    public func index(progress: @escaping @Sendable (IndexProgress) -> Void, cancel: CancellationFlag) throws {
        progress(IndexProgress(done: summaries.count, total: summaries.count, finished: true))
    }
}
