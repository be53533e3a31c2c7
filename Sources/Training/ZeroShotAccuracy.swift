import Evaluation
import Foundation
import Numerics
import ScenarioModel

/// Zero-shot top-1/5/10 accuracy of a model in training, per level, on seen and unseen compositions: the
/// counting is ``Evaluation/TopKAccuracy``'s, with the reference's hit rules (actions: the scene's action among
/// the top k; objects / relations: any top-k class among that image's annotated objects / relations). What this
/// type adds is the evaluation of a ``TrainableModel`` on a ``PreparedDataset`` split by held-out composition.
public struct ZeroShotAccuracy: Sendable, Equatable {
    /// Which scenes a count covers.
    public enum Subset: String, Sendable, CaseIterable {
        /// Scenes whose composition the training split also has.
        case seen
        /// Scenes whose composition is held out from training (the generator's `unseen`).
        case unseen
        /// Both.
        case all
    }

    /// The k values counted.
    public static let ks = [1, 5, 10]

    private var counts: [Level: [Subset: TopKAccuracy]] = [:]

    public init() {}

    /// The counts of `level` on `subset` (empty when nothing was evaluated there).
    public func accuracy(_ level: Level, _ subset: Subset) -> TopKAccuracy {
        counts[level]?[subset] ?? TopKAccuracy(ks: Self.ks)
    }

    /// Evaluates `model` on `scenes` of `dataset` (no augmentation).
    public static func evaluate(model: TrainableModel, dataset: PreparedDataset, scenes: [Int],
                                batchSize: Int = 64) -> ZeroShotAccuracy {
        let dim = model.config.embedDim, c = dataset.context
        var classEmbeddings: [Level: [Float]] = [:]
        for level in Level.allCases {
            let ids = dataset.classIds[level]!
            let n = ids.count / c
            classEmbeddings[level] = ContrastiveLoss.normalizeRows(
                model.embedTexts(ids, count: n, tokens: c, level: level), rows: n, dim: dim).0
        }
        var report = ZeroShotAccuracy()
        let builder = BatchBuilder(dataset: dataset)
        var rng = TrainingRandom(seed: 0)
        var start = 0
        while start < scenes.count {
            let chunk = Array(scenes[start..<min(start + batchSize, scenes.count)])
            start += batchSize
            let batch = builder.batch(scenes: chunk, augment: false, rng: &rng)
            for level in Level.allCases {
                let n = batch.count(level)
                guard n > 0 else { continue }
                let emb = ContrastiveLoss.normalizeRows(model.embedImages(batch.pixels[level]!, count: n, level: level),
                                                        rows: n, dim: dim).0
                let classes = classEmbeddings[level]!
                let k = classes.count / dim
                var scores = [Float](repeating: 0, count: n * k)
                emb.withUnsafeBufferPointer { a in
                    classes.withUnsafeBufferPointer { b in
                        scores.withUnsafeMutableBufferPointer { s in
                            BLAS.gemm(transposeB: true, m: n, n: k, k: dim, a: a.baseAddress!, lda: dim, b: b.baseAddress!,
                                      ldb: dim, c: s.baseAddress!, ldc: k)
                        }
                    }
                }
                var row = 0
                for scene in chunk {
                    let items: [Int]
                    let truth: Set<Int>
                    switch level {
                    case .global:
                        items = [scene]; truth = [dataset.actionClass[scene]]
                    case .object:
                        let o = dataset.objectOffsets[scene]
                        items = Array(o..<(o + dataset.objectsPerScene[scene]))
                        truth = Set(items.map { dataset.objectClass[$0] })
                    case .relation:
                        let o = dataset.relationOffsets[scene]
                        items = Array(o..<(o + dataset.relationsPerScene[scene]))
                        truth = Set(items.map { dataset.relationClass[$0] })
                    }
                    for _ in items {
                        let ranking = scores.withUnsafeBufferPointer {
                            Similarity.topIndices(UnsafeBufferPointer(rebasing: $0[(row * k)..<((row + 1) * k)]), k: Self.ks.last!)
                        }
                        for subset in [Subset.all, dataset.unseen[scene] ? .unseen : .seen] {
                            report.counts[level, default: [:]][subset, default: TopKAccuracy(ks: Self.ks)]
                                .record(ranking: ranking, truth: truth)
                        }
                        row += 1
                    }
                }
            }
        }
        return report
    }

    /// A Markdown table: rows action/object/relation, columns top-1/5/10 for seen and unseen.
    public var markdownTable: String {
        let columns = Self.ks.map { "top-\($0)" }
        var lines = ["| level | " + (columns.map { "seen \($0)" } + columns.map { "unseen \($0)" }).joined(separator: " | ")
                         + " | n seen / unseen |",
                     "|---|" + String(repeating: "---|", count: 2 * Self.ks.count + 1)]
        for (level, label) in [(Level.global, "action"), (.object, "object"), (.relation, "relation")] {
            let seen = accuracy(level, .seen), unseen = accuracy(level, .unseen)
            func cells(_ counts: TopKAccuracy) -> [String] {
                Self.ks.map { counts.total == 0 ? "–" : String(format: "%.1f%%", 100 * counts.accuracy(at: $0)) }
            }
            lines.append("| \(label) | " + (cells(seen) + cells(unseen)).joined(separator: " | ")
                         + " | \(seen.total) / \(unseen.total) |")
        }
        return lines.joined(separator: "\n")
    }
}
