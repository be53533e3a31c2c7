import EmbeddingCache
import Evaluation
import Foundation
import Imaging
import Numerics
import Retrieval
import ScenarioModel
import Scenes

/// A dataset, its embedding cache and a model, together: what `query`, `classify`, `eval` and the explorer ask.
///
/// Level matrices, search indexes and class-text embeddings are loaded once and kept.
/// Thread-safe: a lock guards the lazily built tables; model calls run outside it.
public final class Workspace: @unchecked Sendable {
    // @unchecked Sendable: safe because `lock` guards every lazily filled table.
    public let dataset: SceneDataset
    public let cache: EmbeddingCache
    public let model: any SceneEmbedder

    private let lock = NSLock()
    private var vectorsByLevel: [Level: LevelVectors] = [:]
    private var indexByLevel: [Level: VectorIndex] = [:]
    private var listsByLevel: [Level: IVFIndex] = [:]
    private var rowsByLevel: [Level: [String: [Int]]] = [:]
    private var classesByLevel: [Level: Tensor] = [:]

    /// Levels with at least this many rows are searched through their stored IVF lists when the lists are
    /// fresh (see ``SearchListsBuilder``); smaller ones with the int8 or exact scan.
    public let listsMinimumRows: Int

    public init(dataset: SceneDataset, cache: EmbeddingCache, model: any SceneEmbedder,
                listsMinimumRows: Int = IVFIndex.minimumRows) {
        self.listsMinimumRows = listsMinimumRows
        self.dataset = dataset
        self.cache = cache
        self.model = model
    }

    /// Forgets loaded matrices (call after indexing added vectors).
    public func reload() {
        lock.lock()
        vectorsByLevel = [:]
        indexByLevel = [:]
        listsByLevel = [:]
        rowsByLevel = [:]
        lock.unlock()
    }

    // MARK: Cached image vectors

    /// Every cached vector of `level` for the dataset's items, as one matrix.
    public func vectors(_ level: Level) throws -> LevelVectors {
        lock.lock()
        if let cached = vectorsByLevel[level] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let loaded = try cache.loadLevel(fingerprint: model.fingerprint, level: CacheLevel(level))
        var rows: [String: [Int]] = [:]
        for (row, scene) in loaded.sceneIDs.enumerated() { rows[scene, default: []].append(row) }
        lock.lock()
        vectorsByLevel[level] = loaded
        rowsByLevel[level] = rows
        lock.unlock()
        return loaded
    }

    /// The search index of `level` (built on first use).
    /// - Throws: ``SceneWorkspaceError/notIndexed(level:hint:)`` when nothing is cached.
    public func index(_ level: Level) throws -> VectorIndex {
        try searchIndexes(level).exact
    }

    /// The IVF index of `level`, when its stored lists are fresh and the level is large enough for them.
    public func listIndex(_ level: Level) throws -> IVFIndex? {
        try searchIndexes(level).lists
    }

    /// Builds (once) the level's vector index and, from stored fresh search lists, its IVF index. With an IVF
    /// index the base index skips its full int8 codes (the lists carry their own).
    private func searchIndexes(_ level: Level) throws -> (exact: VectorIndex, lists: IVFIndex?) {
        lock.lock()
        if let cached = indexByLevel[level] {
            let lists = listsByLevel[level]
            lock.unlock()
            return (cached, lists)
        }
        lock.unlock()
        let loaded = try vectors(level)
        guard loaded.count > 0 else {
            throw SceneWorkspaceError.notIndexed(level: level.rawValue, hint: "run `scenarioclip index` first")
        }
        let stored = loaded.searchLists.flatMap { lists in
            loaded.count >= listsMinimumRows
                && Double(lists.unassignedCount) <= IVFIndex.maximumUnassignedFraction * Double(loaded.count) ? lists : nil
        }
        let built = try loaded.matrix.withUnsafeBufferPointer { values in
            try VectorIndex(dimension: loaded.width, count: loaded.count, compact: stored == nil ? nil : false) { buffer in
                _ = buffer.initialize(from: values)
            }
        }
        let lists = try stored.map { try IVFIndex(base: built, centroids: $0.centroids, assignments: $0.assignments) }
        lock.lock()
        indexByLevel[level] = built
        listsByLevel[level] = lists
        lock.unlock()
        return (built, lists)
    }

    /// Rows of `level` that belong to scene `id`, in item order.
    public func rows(ofScene id: String, level: Level) throws -> [Int] {
        _ = try vectors(level)
        lock.lock()
        defer { lock.unlock() }
        return rowsByLevel[level]?[id] ?? []
    }

    /// Ids of the dataset's scenes that have no cached global vector for the model, in dataset order: empty
    /// when the dataset is indexed. Loads (and keeps) the global level, which the first search needs anyway.
    public func scenesMissingGlobalVectors() throws -> [String] {
        let indexed = Set(try vectors(.global).sceneIDs)
        return dataset.records.map(\.id).filter { !indexed.contains($0) }
    }

    // MARK: Class texts

    /// The class texts zero-shot ranks at `level`: actions, object names or relation strings.
    public func classTexts(_ level: Level) -> [String] {
        switch level {
        case .global: dataset.classes.actions
        case .object: dataset.classes.objects
        case .relation: dataset.classes.relations
        }
    }

    /// L2-normalised embeddings of ``classTexts(_:)`` `[classes, width]`, taken from the cache or computed
    /// and stored there (best effort when the cache is read-only).
    public func classEmbeddings(_ level: Level) throws -> Tensor {
        lock.lock()
        if let cached = classesByLevel[level] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let texts = classTexts(level)
        guard !texts.isEmpty else { throw SceneWorkspaceError.noClasses(level: level.rawValue) }
        var known = try cache.textVectors(texts, fingerprint: model.fingerprint, level: CacheLevel(level))
        let missing = texts.filter { known[$0] == nil }
        if !missing.isEmpty {
            let computed = try embedTexts(missing, level: level)
            let width = computed.shape[1]
            let values = computed.scalars
            for (row, text) in missing.enumerated() {
                known[text] = Array(values[(row * width)..<((row + 1) * width)])
            }
            try? cache.write { batch in
                for text in missing {
                    try batch.storeTextVector(known[text]!, for: text, fingerprint: model.fingerprint, level: CacheLevel(level))
                }
            }
        }
        let width = known[texts[0]]!.count
        let matrix = Similarity.l2NormalizedRows(Tensor(shape: [texts.count, width], values: texts.flatMap { known[$0]! }))
        lock.lock()
        classesByLevel[level] = matrix
        lock.unlock()
        return matrix
    }

    /// Model text embeddings in batches of 64. Returns `[texts.count, width]`.
    public func embedTexts(_ texts: [String], level: Level) throws -> Tensor {
        var values: [Float] = []
        var width = model.embeddingWidth
        var start = 0
        while start < texts.count {
            let part = try model.embedTexts(Array(texts[start..<min(start + 64, texts.count)]), level: level)
            width = part.shape[1]
            values += part.scalars
            start += 64
        }
        return Tensor(shape: [texts.count, width], values: values)
    }
}
