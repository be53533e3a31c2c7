import Evaluation
import Foundation
import Numerics
import ScenarioModel
import Scenes

/// A trained linear probe with where it came from and how it scored.
public struct ProbeResult: Sendable, Codable, Equatable {
    /// `action`, `object` or `relation`.
    public var task: String
    public var modelFingerprint: String
    public var head: LinearProbe
    public var settings: LinearProbe.Settings
    public var trainItems: Int
    /// Reference hit rules on the test split (see ``Workspace/evaluate(split:ks:seed:)``).
    public var test: TopKAccuracy
    public var testItems: Int
}

extension Workspace {
    /// The level whose embeddings a probe task reads.
    public static func level(ofTask task: String) -> Level? {
        switch task {
        case "action", "global": .global
        case "object": .object
        case "relation": .relation
        default: nil
        }
    }

    /// Trains the paper's linear probe for `level` on the train split's cached embeddings (frozen model) and
    /// evaluates it on the test split.
    public func probe(level: Level, settings: LinearProbe.Settings = .init(), ks: [Int] = [1, 5, 10],
                      seed: UInt64 = SceneDataset.defaultSplitSeed, progress: ((Int, Float) -> Void)? = nil)
        throws -> ProbeResult
    {
        let classes = classTexts(level)
        guard !classes.isEmpty else { throw SceneWorkspaceError.noClasses(level: level.rawValue) }
        let classIndex = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let train = try examples(level: level, records: dataset.records(in: .train, seed: seed), classIndex: classIndex)
        guard !train.labels.isEmpty else { throw SceneWorkspaceError.emptySplit("train (indexed, labelled)") }
        let head = LinearProbe.train(embeddings: train.embeddings, labels: train.labels, classes: classes,
                                     settings: settings, progress: progress)
        let test = try examples(level: level, records: dataset.records(in: .test, seed: seed), classIndex: classIndex)
        let accuracy = test.labels.isEmpty
            ? TopKAccuracy(ks: ks)
            : TopKAccuracy.evaluate(scores: head.logits(test.embeddings), truths: test.truths, ks: ks)
        return ProbeResult(task: level == .global ? "action" : level.rawValue, modelFingerprint: model.fingerprint,
                           head: head, settings: settings, trainItems: train.labels.count, test: accuracy,
                           testItems: test.labels.count)
    }

    /// Raw (unnormalised) embeddings of a level's items in `records`, each item's own class, and the set of
    /// classes the reference counts as right for it.
    private func examples(level: Level, records: [SceneRecord], classIndex: [String: Int]) throws
        -> (embeddings: Tensor, labels: [Int], truths: [Set<Int>])
    {
        let loaded = try vectors(level)
        let width = loaded.width
        var values: [Float] = []
        var labels: [Int] = []
        var truths: [Set<Int>] = []
        try loaded.matrix.withUnsafeBufferPointer { buffer in
            for record in records {
                let sceneTruth: Set<Int> = switch level {
                case .global: Set([classIndex[record.action]].compactMap { $0 })
                case .object: Set(record.objects.compactMap { classIndex[$0.name] })
                case .relation: Set(record.relations.compactMap { classIndex[$0.text] })
                }
                for row in try rows(ofScene: record.id, level: level) {
                    let text = label(sceneID: record.id, level: level, index: Int(loaded.itemIndices[row]))
                    guard let label = classIndex[text] else { continue }
                    values += buffer[(row * width)..<((row + 1) * width)]
                    labels.append(label)
                    truths.append(level == .global ? [label] : sceneTruth)
                }
            }
        }
        return (Tensor(shape: [labels.count, width], values: values), labels, truths)
    }
}
