import Evaluation
import Foundation
import Numerics
import ScenarioModel
import Scenes

/// One class of one level in a ``ClassReport``: how often it is annotated per split and how the model ranks
/// its annotated items (each item against its own label, as the zero-shot view judges it).
public struct ClassStatistics: Sendable, Equatable, Codable {
    /// The class text (action caption, object name or relation string).
    public var name: String
    /// Annotations per split over the whole dataset (`train`, `val`, `test`).
    public var counts: [String: Int]
    /// Annotations in every split.
    public var total: Int
    /// Items of the reported split ranked by the model (annotated with this class and cached).
    public var evaluated: Int
    /// Items whose annotated class is the model's best.
    public var top1: Int
    /// Items whose annotated class is among the model's best five.
    public var top5: Int
    /// Items whose annotated class is outside the model's top five (`evaluated - top5`).
    public var outsideTop5: Int
    /// The class the model most often puts first instead, and how often.
    public var mostConfusedWith: String?
    public var mostConfusedCount: Int
    /// Fewer than the report's rare threshold of annotations in train.
    public var rare: Bool

    /// `top1 / evaluated` (0 when nothing was evaluated).
    public var top1Accuracy: Double { evaluated > 0 ? Double(top1) / Double(evaluated) : 0 }
    /// `top5 / evaluated` (0 when nothing was evaluated).
    public var top5Accuracy: Double { evaluated > 0 ? Double(top5) / Double(evaluated) : 0 }

    enum CodingKeys: String, CodingKey {
        case name, counts, total, evaluated, top1, top5, outsideTop5, mostConfusedWith, mostConfusedCount, rare
        case top1Accuracy, top5Accuracy
    }

    public init(name: String, counts: [String: Int], total: Int, evaluated: Int, top1: Int, top5: Int,
                mostConfusedWith: String?, mostConfusedCount: Int, rare: Bool) {
        self.name = name
        self.counts = counts
        self.total = total
        self.evaluated = evaluated
        self.top1 = top1
        self.top5 = top5
        self.outsideTop5 = evaluated - top5
        self.mostConfusedWith = mostConfusedWith
        self.mostConfusedCount = mostConfusedCount
        self.rare = rare
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), counts: try c.decode([String: Int].self, forKey: .counts),
            total: try c.decode(Int.self, forKey: .total), evaluated: try c.decode(Int.self, forKey: .evaluated),
            top1: try c.decode(Int.self, forKey: .top1), top5: try c.decode(Int.self, forKey: .top5),
            mostConfusedWith: try c.decodeIfPresent(String.self, forKey: .mostConfusedWith),
            mostConfusedCount: try c.decode(Int.self, forKey: .mostConfusedCount), rare: try c.decode(Bool.self, forKey: .rare))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(counts, forKey: .counts)
        try c.encode(total, forKey: .total)
        try c.encode(evaluated, forKey: .evaluated)
        try c.encode(top1, forKey: .top1)
        try c.encode(top5, forKey: .top5)
        try c.encode(outsideTop5, forKey: .outsideTop5)
        try c.encodeIfPresent(mostConfusedWith, forKey: .mostConfusedWith)
        try c.encode(mostConfusedCount, forKey: .mostConfusedCount)
        try c.encode(rare, forKey: .rare)
        try c.encode(top1Accuracy, forKey: .top1Accuracy)
        try c.encode(top5Accuracy, forKey: .top5Accuracy)
    }
}

/// One cell of a confusion matrix: items annotated `annotated` that the model ranked `predicted` first.
public struct ClassConfusion: Sendable, Equatable, Codable {
    public var annotated: String
    public var predicted: String
    public var count: Int
}

/// The class report of one level.
public struct LevelClassReport: Sendable, Equatable, Codable {
    /// `action`, `object` or `relation`.
    public var task: String
    public var level: Level
    /// Every class of `classes.json` (or derived from the records), in class order.
    public var classes: [ClassStatistics]
    /// Every non-zero off-diagonal cell of the top-1 confusion matrix, largest first (ties by class order).
    public var confusions: [ClassConfusion]
    /// Items ranked, and how many had their own label first / in the top five.
    public var evaluated: Int
    public var top1: Int
    public var top5: Int
    /// Top-1 / top-5 under the reference's per-image rule (any top-k class annotated on the same image), as
    /// `scenarioclip eval` counts them.
    public var referenceRule: TopKAccuracy
    /// Classes with fewer than the rare threshold of annotations in train (but at least one annotation).
    public var rare: [String]
    /// Classes annotated somewhere but never in test.
    public var neverInTest: [String]
    /// Classes listed but never annotated.
    public var unused: [String]
    /// Annotated labels that are not classes (cannot be ranked), with their counts.
    public var unknownLabels: [String: Int]
    /// Items of the reported split without a cached vector.
    public var notIndexed: Int
}

/// What `scenarioclip report` prints: per level and class, counts per split, zero-shot accuracy and confusions.
public struct ClassReport: Sendable, Equatable, Codable {
    /// The split the accuracies are over (`all` for every scene); counts are always over every split.
    public var split: String
    public var modelFingerprint: String
    /// Scenes of the reported split.
    public var scenes: Int
    /// A class is rare below this many annotations in train.
    public var rareThreshold: Int
    /// Action, object and relation reports.
    public var levels: [LevelClassReport]

    /// The report of `level`.
    public func level(_ level: Level) -> LevelClassReport? { levels.first { $0.level == level } }
}

/// The model's top five classes for every cached item of one level, in the level's row order (row `r` of
/// ``Workspace/vectors(_:)``).
public struct LevelPredictions: Sendable {
    public var level: Level
    /// `[rows, 5]` class indices, best first (fewer columns when the level has fewer classes).
    public var top: [[Int32]]
}

extension Level {
    /// The zero-shot task of the level: `action`, `object` or `relation`.
    public var task: String {
        switch self {
        case .global: "action"
        case .object: "object"
        case .relation: "relation"
        }
    }
}

extension Workspace {
    /// The model's best five classes for every cached item of `level` (rows in batches of 4096; one sgemm each).
    /// - Throws: ``SceneWorkspaceError/noClasses(level:)``, model errors while embedding class texts.
    public func predictions(_ level: Level, k: Int = 5) throws -> LevelPredictions {
        let loaded = try vectors(level)
        guard loaded.count > 0 else { return LevelPredictions(level: level, top: []) }
        let width = loaded.width
        var top: [[Int32]] = []
        top.reserveCapacity(loaded.count)
        let index = Dictionary(classTexts(level).enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
        var start = 0
        while start < loaded.count {
            let end = min(loaded.count, start + 4096)
            let block = loaded.matrix.withUnsafeBufferPointer { buffer in
                Tensor(shape: [end - start, width], values: Array(buffer[(start * width)..<(end * width)]))
            }
            for ranking in try rank(block, level: level, k: k) {
                top.append(ranking.top.compactMap { index[$0.label] })
            }
            start = end
        }
        return LevelPredictions(level: level, top: top)
    }

    /// The annotated label of item `index` of a scene at `level` (action, object name or relation string),
    /// or `nil` when the record has no such item.
    public func annotatedLabel(record: SceneRecord, level: Level, index: Int) -> String? {
        switch level {
        case .global: return record.action
        case .object: return record.objects.indices.contains(index) ? record.objects[index].name : nil
        case .relation: return record.relations.indices.contains(index) ? record.relations[index].text : nil
        }
    }

    /// Per class of every level: annotations per split, zero-shot top-1 / top-5 of the items of `split`
    /// (`nil`: all), how often the annotation is outside the top five, and the largest off-diagonal cells of
    /// the top-1 confusion matrix. Reads cached vectors only.
    /// - Parameter rareBelow: a class with fewer annotations than this in train is called rare.
    /// - Throws: ``SceneWorkspaceError/emptySplit(_:)``, ``SceneWorkspaceError/notIndexed(level:hint:)`` when a
    ///   level has no cached vector at all.
    public func classReport(split: SceneSplit?, rareBelow: Int = 5) throws -> ClassReport {
        let assignment = dataset.splits()
        let records = dataset.records
        let inSplit = records.indices.filter { split == nil || assignment[$0] == split }
        guard !inSplit.isEmpty else { throw SceneWorkspaceError.emptySplit(split?.rawValue ?? "all") }
        var levels: [LevelClassReport] = []
        for level in Level.allCases {
            levels.append(try levelReport(level, assignment: assignment, split: split, rareBelow: rareBelow))
        }
        return ClassReport(split: split?.rawValue ?? "all", modelFingerprint: model.fingerprint, scenes: inSplit.count,
                           rareThreshold: rareBelow, levels: levels)
    }

    private func levelReport(_ level: Level, assignment: [SceneSplit], split: SceneSplit?, rareBelow: Int) throws -> LevelClassReport {
        let texts = classTexts(level)
        let classIndex = Dictionary(texts.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let records = dataset.records
        // Counts per split from the annotations.
        var counts = [[Int]](repeating: [0, 0, 0], count: texts.count)
        var unknown: [String: Int] = [:]
        var expectedInSplit = 0
        for (r, record) in records.enumerated() {
            let labels: [String] = switch level {
            case .global: [record.action]
            case .object: record.objects.map(\.name)
            case .relation: record.relations.map(\.text)
            }
            let s = SceneSplit.allCases.firstIndex(of: assignment[r]) ?? 0
            if split == nil || assignment[r] == split { expectedInSplit += labels.count }
            for label in labels {
                if let c = classIndex[label] { counts[c][s] += 1 } else { unknown[label, default: 0] += 1 }
            }
        }
        // Rankings of the cached items of the split.
        let loaded = try vectors(level)
        guard loaded.count > 0 else {
            throw SceneWorkspaceError.notIndexed(level: level.rawValue, hint: "run `scenarioclip index` first")
        }
        let predicted = try predictions(level)
        var evaluated = [Int](repeating: 0, count: texts.count)
        var hits1 = [Int](repeating: 0, count: texts.count)
        var hits5 = [Int](repeating: 0, count: texts.count)
        var cells: [Int: Int] = [:]  // annotated * classes + predicted → count (off-diagonal)
        var reference = TopKAccuracy(ks: [1, 5])
        var rankedInSplit = 0
        var truthOfRecord: [Int: Set<Int>] = [:]
        for row in 0..<loaded.count {
            guard let r = dataset.index(ofID: loaded.sceneIDs[row]), split == nil || assignment[r] == split else { continue }
            let record = records[r]
            guard let label = annotatedLabel(record: record, level: level, index: Int(loaded.itemIndices[row])) else { continue }
            rankedInSplit += 1
            let ranking = predicted.top[row].map(Int.init)
            let truth = truthOfRecord[r] ?? {
                let labels: [String] = switch level {
                case .global: [record.action]
                case .object: record.objects.map(\.name)
                case .relation: record.relations.map(\.text)
                }
                let set = Set(labels.compactMap { classIndex[$0] })
                truthOfRecord[r] = set
                return set
            }()
            if !truth.isEmpty { reference.record(ranking: ranking, truth: truth) }
            guard let c = classIndex[label] else { continue }
            evaluated[c] += 1
            if ranking.first == c { hits1[c] += 1 } else if let p = ranking.first { cells[c * texts.count + p, default: 0] += 1 }
            if ranking.prefix(5).contains(c) { hits5[c] += 1 }
        }
        let confusions = cells.map { key, count in
            (annotated: key / texts.count, predicted: key % texts.count, count: count)
        }.sorted { ($1.count, $0.annotated, $0.predicted) < ($0.count, $1.annotated, $1.predicted) }
        var worst: [Int: (Int, Int)] = [:]
        for cell in confusions where worst[cell.annotated] == nil { worst[cell.annotated] = (cell.predicted, cell.count) }
        let testSlot = SceneSplit.allCases.firstIndex(of: .test)!, trainSlot = SceneSplit.allCases.firstIndex(of: .train)!
        let classes = texts.indices.map { c in
            let total = counts[c].reduce(0, +)
            return ClassStatistics(
                name: texts[c], counts: Dictionary(uniqueKeysWithValues: SceneSplit.allCases.enumerated().map { ($1.rawValue, counts[c][$0]) }),
                total: total, evaluated: evaluated[c], top1: hits1[c], top5: hits5[c],
                mostConfusedWith: worst[c].map { texts[$0.0] }, mostConfusedCount: worst[c]?.1 ?? 0,
                rare: total > 0 && counts[c][trainSlot] < rareBelow)
        }
        return LevelClassReport(
            task: level.task, level: level, classes: classes,
            confusions: confusions.map { ClassConfusion(annotated: texts[$0.annotated], predicted: texts[$0.predicted], count: $0.count) },
            evaluated: evaluated.reduce(0, +), top1: hits1.reduce(0, +), top5: hits5.reduce(0, +), referenceRule: reference,
            rare: classes.filter(\.rare).map(\.name),
            neverInTest: texts.indices.filter { counts[$0].reduce(0, +) > 0 && counts[$0][testSlot] == 0 }.map { texts[$0] },
            unused: classes.filter { $0.total == 0 }.map(\.name),
            unknownLabels: unknown, notIndexed: max(0, expectedInSplit - rankedInSplit))
    }
}
