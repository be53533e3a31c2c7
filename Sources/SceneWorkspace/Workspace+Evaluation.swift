import Evaluation
import Foundation
import Numerics
import ScenarioModel
import Scenes

/// Zero-shot results of one group of scenes (all, seen or unseen compositions).
public struct LevelAccuracies: Sendable, Equatable, Codable {
    public var scenes: Int
    public var actions: TopKAccuracy
    public var objects: TopKAccuracy
    public var relations: TopKAccuracy
}

/// What `scenarioclip eval` reports: the paper's zero-shot protocol plus image↔text retrieval.
public struct EvaluationReport: Sendable, Equatable, Codable {
    /// The split evaluated (`all` for every scene).
    public var split: String
    public var modelFingerprint: String
    public var overall: LevelAccuracies
    /// Scenes not marked as held-out compositions (present only when the dataset marks any).
    public var seen: LevelAccuracies?
    /// Scenes holding held-out compositions (present only when the dataset marks any).
    public var unseen: LevelAccuracies?
    /// Global image ↔ text retrieval (dense captions when every scene has one, else action captions).
    public var retrieval: RetrievalRecall?
    public var retrievalTexts: String?
    /// Items skipped because they were not indexed or their label is not a class.
    public var skipped: Int
}

extension Workspace {
    /// Runs the zero-shot protocol over the scenes of `split` (`nil`: all) from cached vectors.
    ///
    /// Hit rules as in the reference: an action is right at k when it is among the top-k actions; an object
    /// crop (relation region) is right when any of its top-k classes is among the object names (relation
    /// strings) annotated on the same image.
    public func evaluate(split: SceneSplit?, ks: [Int] = [1, 5, 10], seed: UInt64 = SceneDataset.defaultSplitSeed)
        throws -> EvaluationReport
    {
        let records = dataset.records(in: split, seed: seed)
        guard !records.isEmpty else { throw SceneWorkspaceError.emptySplit(split?.rawValue ?? "all") }
        let deepest = ks.max() ?? 10
        var skipped = 0
        var groups: [Bool: LevelAccuracies] = [:]   // key: unseen
        var overall = LevelAccuracies(scenes: 0, actions: TopKAccuracy(ks: ks), objects: TopKAccuracy(ks: ks),
                                      relations: TopKAccuracy(ks: ks))
        let classIndex = Dictionary(uniqueKeysWithValues: Level.allCases.map { level in
            (level, Dictionary(classTexts(level).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a }))
        })
        for level in Level.allCases where try vectors(level).count == 0 {
            throw SceneWorkspaceError.notIndexed(level: level.rawValue, hint: "run `scenarioclip index` first")
        }
        for record in records {
            var local = LevelAccuracies(scenes: 1, actions: TopKAccuracy(ks: ks), objects: TopKAccuracy(ks: ks),
                                        relations: TopKAccuracy(ks: ks))
            for level in Level.allCases {
                let rows = try rows(ofScene: record.id, level: level)
                let truthLabels: Set<String> = switch level {
                case .global: [record.action]
                case .object: Set(record.objects.map(\.name))
                case .relation: Set(record.relations.map(\.text))
                }
                let truth = Set(truthLabels.compactMap { classIndex[level]![$0] })
                let expected = level == .global ? 1 : (level == .object ? record.objects.count : record.relations.count)
                skipped += max(0, expected - rows.count)
                guard !rows.isEmpty else { continue }
                if truth.isEmpty {
                    skipped += rows.count
                    continue
                }
                let loaded = try vectors(level)
                let width = loaded.width
                let values = loaded.matrix.withUnsafeBufferPointer { buffer in
                    rows.flatMap { Array(buffer[($0 * width)..<(($0 + 1) * width)]) }
                }
                let scores = try rank(Tensor(shape: [rows.count, width], values: values), level: level, k: deepest)
                for ranking in scores {
                    let order = ranking.top.compactMap { classIndex[level]![$0.label] }
                    switch level {
                    case .global: local.actions.record(ranking: order, truth: truth)
                    case .object: local.objects.record(ranking: order, truth: truth)
                    case .relation: local.relations.record(ranking: order, truth: truth)
                    }
                }
            }
            overall.merge(local)
            let unseen = record.unseen ?? false
            if var group = groups[unseen] {
                group.merge(local)
                groups[unseen] = group
            } else {
                groups[unseen] = local
            }
        }
        let marksUnseen = records.contains { $0.unseen != nil }
        let (retrieval, retrievalTexts) = try retrievalRecall(records: records, ks: ks)
        return EvaluationReport(
            split: split?.rawValue ?? "all", modelFingerprint: model.fingerprint, overall: overall,
            seen: marksUnseen ? groups[false] : nil, unseen: marksUnseen ? groups[true] : nil,
            retrieval: retrieval, retrievalTexts: retrievalTexts, skipped: skipped)
    }

    private func retrievalRecall(records: [SceneRecord], ks: [Int]) throws -> (RetrievalRecall?, String?) {
        let useDense = records.allSatisfy { !($0.denseCaption ?? "").isEmpty }
        var texts: [String] = []
        var textIndex: [String: Int] = [:]
        var imageRows: [Int] = []
        var textOfImage: [Int] = []
        for record in records {
            guard let row = try rows(ofScene: record.id, level: .global).first else { continue }
            let text = useDense ? record.denseCaption! : record.action
            let index = textIndex[text] ?? {
                texts.append(text)
                textIndex[text] = texts.count - 1
                return texts.count - 1
            }()
            imageRows.append(row)
            textOfImage.append(index)
        }
        guard !imageRows.isEmpty else { return (nil, nil) }
        let loaded = try vectors(.global)
        let width = loaded.width
        let images = loaded.matrix.withUnsafeBufferPointer { buffer in
            Tensor(shape: [imageRows.count, width], values: imageRows.flatMap { Array(buffer[($0 * width)..<(($0 + 1) * width)]) })
        }
        let textEmbeddings = useDense ? try embedTexts(texts, level: .global)
            : try classEmbeddingsSubset(texts)
        return (RetrievalRecall.evaluate(images: images, texts: textEmbeddings, textOfImage: textOfImage, ks: ks),
                useDense ? "dense captions" : "action captions")
    }

    /// Global text embeddings of some action captions, reusing the cached class embeddings.
    private func classEmbeddingsSubset(_ texts: [String]) throws -> Tensor {
        let all = try classEmbeddings(.global)
        let actions = classTexts(.global)
        let width = all.shape[1]
        return all.withUnsafeBufferPointer { buffer in
            Tensor(shape: [texts.count, width], values: texts.flatMap { text -> [Float] in
                guard let row = actions.firstIndex(of: text) else { return [Float](repeating: 0, count: width) }
                return Array(buffer[(row * width)..<((row + 1) * width)])
            })
        }
    }
}

extension LevelAccuracies {
    /// Adds another group's counts.
    public mutating func merge(_ other: LevelAccuracies) {
        scenes += other.scenes
        actions.merge(other.actions)
        objects.merge(other.objects)
        relations.merge(other.relations)
    }
}
