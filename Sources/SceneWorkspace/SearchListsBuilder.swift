import EmbeddingCache
import Foundation
import Retrieval
import ScenarioModel

/// Trains the IVF search lists of a cache's levels from the vectors stored there and stores them, so that
/// ``Workspace`` searches large levels through ``IVFIndex`` (lists are always rebuildable from the cache).
public enum SearchListsBuilder {
    /// What was done for one level.
    public struct Outcome: Sendable, Equatable {
        public var level: Level
        /// Rows of the level.
        public var rows: Int
        /// Lists trained (0 when the stored ones were kept or the level is too small).
        public var lists: Int
        /// Rows that were not in the stored lists before this call.
        public var unassignedBefore: Int
        /// Seconds spent training and storing.
        public var seconds: Double
    }

    /// Whether `vectors` need (new) lists: large enough, and with no stored lists or more than
    /// ``IVFIndex/maximumUnassignedFraction`` of the rows unassigned.
    public static func needsLists(_ vectors: LevelVectors, minimumRows: Int = IVFIndex.minimumRows) -> Bool {
        guard vectors.count >= minimumRows else { return false }
        guard let lists = vectors.searchLists else { return true }
        return Double(lists.unassignedCount) > IVFIndex.maximumUnassignedFraction * Double(vectors.count)
    }

    /// For each level: trains lists (``IVFIndex/trainCentroids(base:lists:sampleSize:iterations:seed:)``, then
    /// ``IVFIndex/assign(base:centroids:)``) and stores them when ``needsLists(_:minimumRows:)`` or `force`.
    /// Vectors written by another process meanwhile stay unassigned until the next refresh.
    /// - Throws: cache errors (a level without vectors is skipped).
    @discardableResult
    public static func refresh(
        cache: EmbeddingCache, fingerprint: String, levels: [Level] = Level.allCases,
        minimumRows: Int = IVFIndex.minimumRows, force: Bool = false
    ) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for level in levels {
            let vectors = try cache.loadLevel(fingerprint: fingerprint, level: CacheLevel(level))
            let unassigned = vectors.searchLists?.unassignedCount ?? vectors.count
            guard vectors.count > 0, force || needsLists(vectors, minimumRows: minimumRows) else {
                outcomes.append(Outcome(level: level, rows: vectors.count, lists: 0, unassignedBefore: unassigned, seconds: 0))
                continue
            }
            let start = Date()
            let base = try vectors.matrix.withUnsafeBufferPointer { values in
                try VectorIndex(dimension: vectors.width, count: vectors.count, compact: false) { _ = $0.initialize(from: values) }
            }
            let centroids = IVFIndex.trainCentroids(base: base)
            let assignments = IVFIndex.assign(base: base, centroids: centroids)
            let lists = SearchLists(lists: centroids.count / vectors.width, centroids: centroids, assignments: assignments)
            try cache.write { batch in
                try batch.storeSearchLists(lists, for: vectors, fingerprint: fingerprint, level: CacheLevel(level))
            }
            outcomes.append(Outcome(level: level, rows: vectors.count, lists: lists.lists, unassignedBefore: unassigned,
                                    seconds: Date().timeIntervalSince(start)))
        }
        return outcomes
    }
}
