import Numerics
import Foundation
import ScenarioModel

/// Zero-shot top-1/5 accuracy per level, on seen and unseen compositions, with the reference's hit rules
/// (actions: the scene's action among the top k; objects / relations: any top-k class among that image's
/// annotated objects / relations).
public struct ZeroShotReport: Sendable, Codable, Equatable {
    /// Hits at k = 1 and 5, and item count, per level name and subset ("seen" / "unseen" / "all").
    public struct Cell: Sendable, Codable, Equatable {
        public var top1: Int = 0
        public var top5: Int = 0
        public var total: Int = 0
        public var top1Accuracy: Double { total == 0 ? 0 : Double(top1) / Double(total) }
        public var top5Accuracy: Double { total == 0 ? 0 : Double(top5) / Double(total) }
    }

    /// `cells["object"]["seen"]`.
    public var cells: [String: [String: Cell]] = [:]

    /// Evaluates `model` on `scenes` of `dataset` (no augmentation).
    public static func evaluate(model: TrainableModel, dataset: PreparedDataset, scenes: [Int],
                                batchSize: Int = 64) -> ZeroShotReport {
        let dim = model.config.embedDim, c = dataset.context
        var classEmbeddings: [Level: [Float]] = [:]
        for level in Level.allCases {
            let ids = dataset.classIds[level]!
            let n = ids.count / c
            classEmbeddings[level] = ContrastiveLoss.normalizeRows(
                model.embedTexts(ids, count: n, tokens: c, level: level), rows: n, dim: dim).0
        }
        var report = ZeroShotReport()
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
                        let ranked = (0..<k).sorted { scores[row * k + $0] > scores[row * k + $1] || (scores[row * k + $0] == scores[row * k + $1] && $0 < $1) }
                        let hit1 = truth.contains(ranked[0])
                        let hit5 = ranked.prefix(5).contains { truth.contains($0) }
                        for subset in ["all", dataset.unseen[scene] ? "unseen" : "seen"] {
                            var cell = report.cells[level.rawValue, default: [:]][subset, default: Cell()]
                            cell.total += 1
                            if hit1 { cell.top1 += 1 }
                            if hit5 { cell.top5 += 1 }
                            report.cells[level.rawValue, default: [:]][subset] = cell
                        }
                        row += 1
                    }
                }
            }
        }
        return report
    }

    /// A Markdown table: rows action/object/relation, columns top-1/top-5 for seen and unseen.
    public var markdownTable: String {
        var lines = ["| level | seen top-1 | seen top-5 | unseen top-1 | unseen top-5 | n seen / unseen |",
                     "|---|---|---|---|---|---|"]
        for (level, label) in [("global", "action"), ("object", "object"), ("relation", "relation")] {
            let seen = cells[level]?["seen"] ?? Cell(), unseen = cells[level]?["unseen"] ?? Cell()
            func pct(_ x: Double, _ n: Int) -> String { n == 0 ? "–" : String(format: "%.1f%%", 100 * x) }
            lines.append("| \(label) | \(pct(seen.top1Accuracy, seen.total)) | \(pct(seen.top5Accuracy, seen.total)) | "
                         + "\(pct(unseen.top1Accuracy, unseen.total)) | \(pct(unseen.top5Accuracy, unseen.total)) | "
                         + "\(seen.total) / \(unseen.total) |")
        }
        return lines.joined(separator: "\n")
    }
}
