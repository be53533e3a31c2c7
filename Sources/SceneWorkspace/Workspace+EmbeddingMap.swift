import EmbeddingCache
import Foundation
import Retrieval
import ScenarioModel

extension Workspace {
    /// The 2-D map of `level` stored in the cache, laid onto the dataset's current items, or `nil` when none
    /// is stored for the model. Reads no vectors (fast enough to open a map view at once).
    public func storedEmbeddingMap(_ level: Level) throws -> CachedEmbeddingMap? {
        try cache.embeddingMap(fingerprint: model.fingerprint, level: CacheLevel(level))
    }

    /// The 2-D map of `level`'s cached vectors: the stored one when it covers every item, otherwise computed
    /// (``NeighbourMap``, its neighbour graph through the level's stored IVF lists when there are any) and stored
    /// for the next call.
    /// - Parameters:
    ///   - recompute: compute even when a complete map is stored.
    ///   - progress: layout progress (epochs done, epochs).
    /// - Returns: the map and whether it was computed now.
    /// - Throws: ``SceneWorkspaceError/notIndexed(level:hint:)`` without cached vectors; cache errors.
    public func embeddingMap(_ level: Level, recompute: Bool = false, settings: NeighbourMap.Settings = NeighbourMap.Settings(),
                             progress: ((Int, Int) -> Void)? = nil) throws -> (map: CachedEmbeddingMap, computed: Bool) {
        if !recompute, let stored = try storedEmbeddingMap(level), stored.missing == 0, stored.count > 0 {
            return (stored, false)
        }
        let loaded = try vectors(level)
        let base = try index(level)
        let lists = loaded.searchLists
        let map = NeighbourMap.compute(base, settings: settings, centroids: lists?.centroids, assignments: lists?.assignments,
                                       progress: progress)
        try? cache.write { batch in
            try batch.storeEmbeddingMap(map.coordinates, for: loaded, fingerprint: model.fingerprint, level: CacheLevel(level),
                                        method: settings.summary)
        }
        return (CachedEmbeddingMap(sceneIDs: loaded.sceneIDs, itemIndices: loaded.itemIndices, coordinates: map.coordinates,
                                   missing: 0, method: settings.summary, createdAt: Date()), true)
    }
}
