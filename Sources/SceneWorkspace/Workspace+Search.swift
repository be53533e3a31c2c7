import Foundation
import Imaging
import Numerics
import Retrieval
import ScenarioModel

/// One ranked search result: a scene, or an object or relation region of it. What it adds to the vector index's
/// ``Retrieval/SearchHit`` (a row and its score) is the dataset item the row stands for: its scene, level, index,
/// annotation and picture region — what `query` prints and the explorer lists.
public struct WorkspaceHit: Sendable, Equatable, Codable {
    public var sceneID: String
    public var level: Level
    /// Object or relation index (0 at the global level).
    public var index: Int
    /// The annotation of the hit: the scene's action, the object's name, or the relation triple.
    public var label: String
    /// The matching region in image pixels: the object's box, or the union of a relation's subject and object
    /// boxes; `nil` for whole-scene hits.
    public var region: PixelBox?
    /// Cosine similarity.
    public var score: Float

    public init(sceneID: String, level: Level, index: Int, label: String, region: PixelBox?, score: Float) {
        self.sceneID = sceneID
        self.level = level
        self.index = index
        self.label = label
        self.region = region
        self.score = score
    }
}

extension Workspace {
    /// The query vector of `expression` at `level`: text terms through the level's text tower, image terms
    /// (whole pictures) through its vision tower, combined as `normalize(Σ w · normalize(e))`.
    public func queryVector(_ expression: QueryExpression, level: Level) throws -> [Float] {
        try expression.embedding { term in
            switch term.kind {
            case .text(let text):
                return try model.embedTexts([text], level: level).scalars
            case .image(let path):
                let url = URL(fileURLWithPath: path)
                let preprocessor = try CLIPPreprocessor(config: model.preprocess)
                let pixels = try preprocessor.tensor(contentsOf: url)
                return try model.embedImages(pixels.reshaped([1] + pixels.shape), level: level).scalars
            }
        }
    }

    /// The `k` best items of `level` for a query expression.
    public func search(_ expression: QueryExpression, level: Level, k: Int) throws -> [WorkspaceHit] {
        try search(vector: queryVector(expression, level: level), level: level, k: k)
    }

    /// The `k` best items over several levels for a query expression, merged by score (best first).
    public func search(_ expression: QueryExpression, levels: [Level], k: Int) throws -> [WorkspaceHit] {
        var hits: [WorkspaceHit] = []
        for level in levels { hits += try search(expression, level: level, k: k) }
        return Array(hits.sorted { $0.score > $1.score }.prefix(k))
    }

    /// The `k` best items of `level` for a query vector (any scale).
    /// Uses the level's IVF lists when they are stored and fresh (``listIndex(_:)``), else the int8 or exact scan.
    public func search(vector: [Float], level: Level, k: Int) throws -> [WorkspaceHit] {
        let index = try index(level)
        let lists = try listIndex(level)
        let loaded = try vectors(level)
        let hits = try lists.map { try $0.search(vector, k: k) } ?? index.search(vector, k: k)
        return hits.map { hit in
            let scene = loaded.sceneIDs[hit.row]
            let item = Int(loaded.itemIndices[hit.row])
            return WorkspaceHit(sceneID: scene, level: level, index: item, label: label(sceneID: scene, level: level, index: item),
                                region: region(sceneID: scene, level: level, index: item), score: hit.score)
        }
    }

    /// "More like this": items of `level` nearest to a cached item (the item itself excluded).
    public func similar(toScene id: String, level: Level, index item: Int, k: Int) throws -> [WorkspaceHit] {
        let loaded = try vectors(level)
        guard let row = try rows(ofScene: id, level: level).first(where: { Int(loaded.itemIndices[$0]) == item }) else {
            throw SceneWorkspaceError.notIndexed(level: level.rawValue, hint: "scene \(id) item \(item) is not indexed yet")
        }
        let width = loaded.width
        let query = loaded.matrix.withUnsafeBufferPointer { Array($0[(row * width)..<((row + 1) * width)]) }
        return try search(vector: query, level: level, k: k + 1)
            .filter { !($0.sceneID == id && $0.index == item) }
            .prefix(k).map { $0 }
    }

    /// The picture region of an item, in image pixels: the object's box, or the union of a relation's subject
    /// and object boxes; `nil` at the global level (the whole picture) and for unknown scenes or items.
    public func region(sceneID: String, level: Level, index: Int) -> PixelBox? {
        guard let record = dataset.record(id: sceneID) else { return nil }
        switch level {
        case .global: return nil
        case .object: return record.objects.indices.contains(index) ? record.objects[index].box : nil
        case .relation: return record.relations.indices.contains(index) ? record.unionBox(of: record.relations[index]) : nil
        }
    }

    /// The annotation text of an item: the action, the object name or the relation triple.
    public func label(sceneID: String, level: Level, index: Int) -> String {
        guard let record = dataset.record(id: sceneID) else { return "" }
        switch level {
        case .global: return record.action
        case .object: return index < record.objects.count ? record.objects[index].name : ""
        case .relation: return index < record.relations.count ? record.relations[index].text : ""
        }
    }
}
