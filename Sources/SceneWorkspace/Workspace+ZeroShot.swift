import Evaluation
import Foundation
import Numerics
import ScenarioModel
import Scenes

/// A class and the model's cosine similarity to it.
public struct ClassScore: Sendable, Equatable, Codable {
    public var label: String
    public var score: Float

    public init(label: String, score: Float) {
        self.label = label
        self.score = score
    }
}

/// The model's ranking for one item of a scene beside its annotation.
public struct ZeroShotItem: Sendable, Equatable, Codable {
    public var level: Level
    public var index: Int
    /// What the dataset says (action, object name or relation triple).
    public var annotated: String
    /// Best classes first.
    public var ranking: [ClassScore]
    /// Cosine similarity to the annotated class (nil when the annotation is not a known class).
    public var annotatedScore: Float?
    /// `true` when the annotated class is within the ranking shown (top-k).
    public var agrees: Bool

    public init(level: Level, index: Int, annotated: String, ranking: [ClassScore], annotatedScore: Float? = nil,
                agrees: Bool? = nil) {
        self.level = level
        self.index = index
        self.annotated = annotated
        self.ranking = ranking
        self.annotatedScore = annotatedScore
        self.agrees = agrees ?? ranking.contains { $0.label == annotated }
    }
}

/// Zero-shot rankings for a whole scene at all three levels.
/// Items without a cached vector (an object added by a correction, a scene not indexed yet) are not in `items`.
public struct SceneZeroShot: Sendable, Equatable, Codable {
    public var sceneID: String
    /// Level by level (global, object, relation), each in item order.
    public var items: [ZeroShotItem]

    public init(sceneID: String, items: [ZeroShotItem]) {
        self.sceneID = sceneID
        self.items = items
    }

    /// The ranked items of `level`, in item order.
    public func items(_ level: Level) -> [ZeroShotItem] {
        items.filter { $0.level == level }
    }

    /// The ranking of item `index` of `level`, or `nil` when it was not ranked.
    public func item(_ level: Level, _ index: Int) -> ZeroShotItem? {
        items.first { $0.level == level && $0.index == index }
    }

    /// Items whose annotation is outside the model's top-k.
    public var disagreements: Int { items.filter { !$0.agrees }.count }
    /// How strongly the model disagrees: the summed gap between its best score and the annotated class's.
    public var disagreementStrength: Float {
        items.reduce(0) { sum, item in
            sum + max(0, (item.ranking.first?.score ?? 0) - (item.annotatedScore ?? -1))
        }
    }
}

extension Workspace {
    /// Ranks the dataset's classes for every cached item of scene `id` (top `k` per item), beside the annotation
    /// with `corrections` (the scene's, in the order made; `nil`: those stored in the cache) applied: items are numbered and labelled as in the
    /// corrected record, deleted items are left out, added objects (not embedded yet) have no ranking, and a moved
    /// box is ranked from its cached (uncorrected) region until the corrected copy is indexed.
    /// - Throws: ``SceneWorkspaceError/unknownScene(_:)``, ``Scenes/ScenesError/invalidCorrection(sceneID:reason:)``;
    ///   levels without cached vectors are left out.
    public func zeroShot(sceneID id: String, k: Int = 5, corrections: [SceneCorrection]? = nil) throws -> SceneZeroShot {
        guard let record = dataset.record(id: id) else { throw SceneWorkspaceError.unknownScene(id) }
        let corrections = try corrections ?? cache.corrections(for: id)
        let corrected = corrections.isEmpty ? nil : try record.applyingTracked(corrections)
        func placed(_ level: Level, _ original: Int) -> (index: Int, label: String)? {
            guard let corrected else { return (original, label(sceneID: id, level: level, index: original)) }
            let r = corrected.record
            switch level {
            case .global: return (0, r.action)
            case .object: return corrected.objectOrigins.firstIndex(of: original).map { ($0, r.objects[$0].name) }
            case .relation: return corrected.relationOrigins.firstIndex(of: original).map { ($0, r.relations[$0].text) }
            }
        }
        var items: [ZeroShotItem] = []
        for level in Level.allCases {
            let rows = try rows(ofScene: id, level: level)
            guard !rows.isEmpty else { continue }
            let loaded = try vectors(level)
            let width = loaded.width
            let values = loaded.matrix.withUnsafeBufferPointer { buffer in
                rows.flatMap { Array(buffer[($0 * width)..<(($0 + 1) * width)]) }
            }
            let rankings = try rank(Tensor(shape: [rows.count, width], values: values), level: level, k: k)
            var levelItems: [ZeroShotItem] = []
            for (row, ranking) in zip(rows, rankings) {
                guard let (index, annotated) = placed(level, Int(loaded.itemIndices[row])) else { continue }
                levelItems.append(item(level: level, index: index, annotated: annotated, ranking: ranking.top, all: ranking.all))
            }
            items += levelItems.sorted { $0.index < $1.index }
        }
        return SceneZeroShot(sceneID: id, items: items)
    }

    /// Ranks the classes of `level` for raw embeddings `[n, width]`: the top `k` and every class's score.
    public func rank(_ embeddings: Tensor, level: Level, k: Int) throws -> [(top: [ClassScore], all: [Float])] {
        let classes = try classEmbeddings(level)
        let texts = classTexts(level)
        let table = Similarity.table(Similarity.l2NormalizedRows(embeddings), classes)
        let count = texts.count
        return table.withUnsafeBufferPointer { buffer in
            (0..<embeddings.shape[0]).map { row in
                let slice = UnsafeBufferPointer(rebasing: buffer[(row * count)..<((row + 1) * count)])
                let top = Similarity.topIndices(slice, k: k).map { ClassScore(label: texts[$0], score: slice[$0]) }
                return (top, Array(slice))
            }
        }
    }

    private func item(level: Level, index: Int, annotated: String, ranking: [ClassScore], all: [Float]) -> ZeroShotItem {
        let texts = classTexts(level)
        let annotatedScore = texts.firstIndex(of: annotated).map { all[$0] }
        // A spot-check flags the item itself: its own annotated class must be in the top-k. (Evaluation uses
        // the reference's looser per-image rule instead; see `evaluate`.)
        let agrees = ranking.contains { $0.label == annotated }
        return ZeroShotItem(level: level, index: index, annotated: annotated, ranking: ranking,
                            annotatedScore: annotatedScore, agrees: agrees)
    }

    /// Scenes ordered by how much the model disagrees with their annotation (most first), skipping scenes
    /// with no disagreement: the annotation review queue.
    /// `corrections` (by scene id; `nil`: those stored in the cache) are applied as in
    /// ``zeroShot(sceneID:k:corrections:)``.
    public func reviewQueue(k: Int = 5, limit: Int? = nil, corrections: [String: [SceneCorrection]]? = nil) throws -> [SceneZeroShot] {
        let corrections = try corrections ?? cache.correctionsByScene()
        var results: [SceneZeroShot] = []
        for record in dataset.records {
            let result = try zeroShot(sceneID: record.id, k: k, corrections: corrections[record.id] ?? [])
            if result.disagreements > 0 { results.append(result) }
        }
        results.sort {
            ($0.disagreements, $0.disagreementStrength) > ($1.disagreements, $1.disagreementStrength)
        }
        return limit.map { Array(results.prefix($0)) } ?? results
    }
}
