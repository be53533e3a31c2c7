import EmbeddingCache
import ScenarioModel
import Scenes
import SceneWorkspace

extension ExplorerBackend {
    /// Backends without a model have no class report.
    public func classReport() throws -> ClassReport {
        throw ExplorerError.unavailable("the class report needs a model and an index")
    }

    /// Backends without cached vectors have no map.
    public func embeddingMap(level: Level) throws -> EmbeddingMapPoints {
        throw ExplorerError.unavailable("the embedding map needs cached vectors")
    }

    public func mapDisagreements(level: Level, points: EmbeddingMapPoints) throws -> [Bool] {
        throw ExplorerError.unavailable("disagreements need a model")
    }

    /// Backends without a cache have no duplicate groups.
    public func duplicates() throws -> [DuplicateRow] {
        throw ExplorerError.unavailable("duplicate groups need a model and an index")
    }
}

extension LiveExplorerBackend {
    /// The workspace's duplicate groups at the global level with the default threshold.
    public func duplicates() throws -> [DuplicateRow] {
        try withWorkspace { DuplicateRow.rows(of: try $0.duplicates()) }
    }

    /// The workspace's class report over every split.
    public func classReport() throws -> ClassReport {
        try withWorkspace { try $0.classReport(split: nil) }
    }

    /// The level's map from the cache, or computed (and cached) when none covers every item.
    public func embeddingMap(level: Level) throws -> EmbeddingMapPoints {
        try withWorkspace { workspace in
            let (map, computed) = try workspace.embeddingMap(level)
            let dataset = workspace.dataset
            let classes = workspace.classTexts(level)
            let classIndex = Dictionary(classes.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
            let splits = dataset.splits()
            var labels: [Int32] = [], splitCodes: [UInt8] = []
            labels.reserveCapacity(map.count)
            splitCodes.reserveCapacity(map.count)
            for row in 0..<map.count {
                guard let r = dataset.index(ofID: map.sceneIDs[row]) else {
                    labels.append(-1)
                    splitCodes.append(0)
                    continue
                }
                let label = workspace.annotatedLabel(record: dataset.records[r], level: level, index: Int(map.itemIndices[row]))
                labels.append(label.flatMap { classIndex[$0] } ?? -1)
                splitCodes.append(UInt8(SceneSplit.allCases.firstIndex(of: splits[r]) ?? 0))
            }
            return EmbeddingMapPoints(level: level, sceneIDs: map.sceneIDs, itemIndices: map.itemIndices.map(Int.init),
                                      coordinates: map.coordinates, labels: labels, classNames: classes, splits: splitCodes,
                                      computed: computed)
        }
    }

    /// Whether the model's best class differs from each point's annotation (ranked from the cached vectors).
    public func mapDisagreements(level: Level, points: EmbeddingMapPoints) throws -> [Bool] {
        try withWorkspace { workspace in
            let loaded = try workspace.vectors(level)
            let predicted = try workspace.predictions(level)
            var best: [String: Int32] = [:]
            best.reserveCapacity(loaded.count)
            for row in 0..<loaded.count { best["\(loaded.sceneIDs[row])#\(loaded.itemIndices[row])"] = predicted.top[row].first ?? -1 }
            return (0..<points.count).map { i in
                guard let top = best["\(points.sceneIDs[i])#\(points.itemIndices[i])"] else { return false }
                return points.labels[i] >= 0 && top != points.labels[i]
            }
        }
    }
}
