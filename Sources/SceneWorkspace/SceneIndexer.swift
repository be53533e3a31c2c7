import EmbeddingCache
import Foundation
import Imaging
import Numerics
import Retrieval
import ScenarioModel
import Scenes

/// Embeds every scene of a dataset at all three levels into its cache, incrementally.
///
/// Only items whose (model fingerprint, level, content key) vector is missing are embedded. Work is done in
/// batches; each batch is one transaction, so an interruption loses at most the batch in flight and a
/// rerun resumes. Each image file is decoded once for all of its inputs in a batch.
public final class SceneIndexer: @unchecked Sendable {
    // @unchecked Sendable: the indexer holds only immutable configuration; `run` keeps its state local.

    /// Counts reported while indexing.
    public struct Progress: Sendable, Equatable {
        /// Items that needed embedding when the run started.
        public var total: Int
        /// Items embedded (or failed) so far.
        public var done: Int
        /// Items already cached before the run.
        public var reused: Int
        /// Items that could not be embedded.
        public var failed: Int
        /// Seconds since the run started.
        public var elapsed: Double
    }

    /// What a run did.
    public struct Report: Sendable {
        public var progress: Progress
        /// Embedded items per level.
        public var embedded: [Level: Int]
        /// Items or scenes that failed, with the reason (file and cause).
        public var failures: [String]
        /// `true` when the run stopped early because it was cancelled.
        public var cancelled: Bool
        /// Search lists refreshed after a complete run (empty when cancelled).
        public var searchLists: [SearchListsBuilder.Outcome] = []
    }

    public let dataset: SceneDataset
    public let cache: EmbeddingCache
    public let model: any SceneEmbedder
    /// Items embedded per model call and committed per transaction.
    public let batchSize: Int
    /// Threads decoding and preprocessing images.
    public let workers: Int
    /// Levels with at least this many vectors get IVF search lists after a complete run.
    public let listsMinimumRows: Int
    /// The shard of the dataset to embed (every scene when `nil`). A shard's run records its shard in the cache,
    /// lists every item of the dataset (so merged shards can be checked against the dataset's content) but
    /// embeds only the items of its own scenes, and builds no search lists: ``CacheMerger`` builds them once.
    public let shard: ShardSpec?

    public init(dataset: SceneDataset, cache: EmbeddingCache, model: any SceneEmbedder, batchSize: Int = 32,
                workers: Int = 2, listsMinimumRows: Int = IVFIndex.minimumRows, shard: ShardSpec? = nil) {
        self.listsMinimumRows = listsMinimumRows
        self.shard = shard
        self.dataset = dataset
        self.cache = cache
        self.model = model
        self.batchSize = max(1, batchSize)
        self.workers = max(1, workers)
    }

    /// Hashes the dataset's files (reusing remembered hashes of unchanged files) and records every item of
    /// every scene in the cache's item table. Returns the items and the scenes that could not be listed.
    public func refreshItems() throws -> (items: [SceneItem], failures: [String]) {
        try Self.refreshItems(dataset: dataset, cache: cache)
    }

    /// Records every item of every scene of `dataset` in `cache`'s item table (see ``refreshItems()``).
    public static func refreshItems(dataset: SceneDataset, cache: EmbeddingCache) throws -> (items: [SceneItem], failures: [String]) {
        let listed = try listItems(dataset: dataset, cache: cache)
        try cache.write { try listed.record($0) }
        return (listed.items, listed.failures)
    }

    /// Every item of every scene of `dataset`, hashed without writing to `cache` (unchanged files reuse their
    /// remembered hashes), and the scenes that could not be listed; `record` stores the items and the newly
    /// computed hashes in a write transaction of `cache`.
    public static func listItems(dataset: SceneDataset, cache: EmbeddingCache) throws
        -> (items: [SceneItem], failures: [String], record: (CacheWriteBatch) throws -> Void)
    {
        let hasher = try FileHasher(cache: cache)
        var failures: [String] = []
        var allItems: [SceneItem] = []
        for record in dataset.records {
            do {
                allItems += try SceneItem.items(of: record, hash: hasher.hash)
            } catch {
                failures.append("scene \(record.id): \(error)")
            }
        }
        let items = allItems
        let hashes = hasher.newlyComputed
        return (items, failures, { batch in
            try batch.replaceAllItems(items.map(\.datasetItem))
            for entry in hashes {
                try batch.recordFileHash(entry.hash, path: entry.path, size: entry.size, modified: entry.modified)
            }
        })
    }

    /// How many distinct items of the dataset have no vector for the model yet, found without writing to the
    /// cache (unchanged files reuse their remembered hashes; new files are hashed). Scenes that cannot be listed
    /// (missing files) are not counted: ``run(progress:isCancelled:)`` reports them.
    public func missingItemCount() throws -> Int {
        let hasher = try FileHasher(cache: cache)
        var missing = 0
        var stored: [Level: Set<ItemKey>] = [:]
        var seen: [Level: Set<ItemKey>] = [:]
        for record in dataset.records where shard?.contains(sceneID: record.id) ?? true {
            guard let items = try? SceneItem.items(of: record, hash: hasher.hash) else { continue }
            for item in items {
                if stored[item.level] == nil {
                    stored[item.level] = try cache.storedKeys(fingerprint: model.fingerprint, level: CacheLevel(item.level))
                }
                if !stored[item.level]!.contains(item.key), seen[item.level, default: []].insert(item.key).inserted {
                    missing += 1
                }
            }
        }
        return missing
    }

    /// Indexes what is missing. `progress` is called after each batch; `isCancelled` is checked between batches.
    ///
    /// One run at a time per cache file: the run holds `<cache>.index-lock` (``CacheFileLock``); a second run on
    /// the same cache calls `waiting` with the lock file's path, waits for the first to end, and then embeds only
    /// what the first left missing (nothing, when it finished).
    /// - Throws: cache errors (locked, read-only, full disk) and model errors; a bad image is a failure entry.
    public func run(progress: (Progress) -> Void = { _ in }, isCancelled: () -> Bool = { false },
                    waiting: (String) -> Void = { _ in }) throws -> Report {
        let start = Date()
        var lock: CacheFileLock?
        if cache.path != ":memory:" {
            do {
                lock = try CacheFileLock.wait(beside: cache.path, purpose: "index", waiting: waiting, isCancelled: isCancelled)
            } catch {
                throw SceneWorkspaceError.cacheBusy(cache.path, detail: "\(error)")
            }
            if lock == nil {
                return Report(progress: Progress(total: 0, done: 0, reused: 0, failed: 0, elapsed: Date().timeIntervalSince(start)),
                              embedded: [:], failures: [], cancelled: true)
            }
        }
        defer { lock?.release() }
        let fingerprint = model.fingerprint
        if let shard {
            if let recorded = try cache.shard(), recorded != shard {
                throw ShardSpecError.invalid(shard.description, detail: "\(cache.path) holds shard \(recorded)")
            }
            try cache.recordShard(shard)
        }
        let (listed, listingFailures) = try refreshItems()
        var failures = listingFailures
        let shardScenes = shard.map { shard in Set(dataset.records.lazy.filter { shard.contains(sceneID: $0.id) }.map(\.id)) }
        let allItems = shardScenes.map { scenes in listed.filter { scenes.contains($0.sceneID) } } ?? listed

        // Unique missing items, in dataset order.
        var pending: [SceneItem] = []
        var reused = 0
        for level in Level.allCases {
            let stored = try cache.storedKeys(fingerprint: fingerprint, level: CacheLevel(level))
            var scheduled = Set<ItemKey>()
            for item in allItems where item.level == level {
                if stored.contains(item.key) {
                    reused += 1
                } else if scheduled.insert(item.key).inserted {
                    pending.append(item)
                }
            }
        }
        pending.sort { ($0.file.path, $0.level.rawValue, $0.index) < ($1.file.path, $1.level.rawValue, $1.index) }

        var state = Progress(total: pending.count, done: 0, reused: reused, failed: 0, elapsed: 0)
        var embedded: [Level: Int] = [:]
        let preprocessor = try CLIPPreprocessor(config: model.preprocess)
        let loader = ParallelImageLoader(preprocessor: preprocessor, workers: workers)
        progress(state)

        var cursor = 0
        var cancelled = false
        while cursor < pending.count {
            if isCancelled() {
                cancelled = true
                break
            }
            let chunk = Array(pending[cursor..<min(cursor + batchSize, pending.count)])
            cursor += chunk.count
            // One request per file, so each file is decoded once for all its inputs in the chunk.
            var requestOrder: [URL] = []
            var itemsOfFile: [URL: [SceneItem]] = [:]
            for item in chunk {
                if itemsOfFile[item.file] == nil { requestOrder.append(item.file) }
                itemsOfFile[item.file, default: []].append(item)
            }
            let results = loader.load(requestOrder.map { url in
                ParallelImageLoader.Request(url: url, inputs: itemsOfFile[url]!.map(\.input))
            })
            var tensorsByLevel: [Level: [Tensor]] = [:]
            var keysByLevel: [Level: [ItemKey]] = [:]
            for (url, result) in zip(requestOrder, results) {
                switch result {
                case .success(let tensors):
                    for (item, tensor) in zip(itemsOfFile[url]!, tensors) {
                        tensorsByLevel[item.level, default: []].append(tensor)
                        keysByLevel[item.level, default: []].append(item.key)
                    }
                case .failure(let error):
                    let count = itemsOfFile[url]!.count
                    failures.append("\(url.path): \(error) (\(count) item\(count == 1 ? "" : "s") skipped)")
                    state.failed += count
                }
            }
            var vectors: [(Level, Tensor, [ItemKey])] = []
            for level in Level.allCases {
                guard let tensors = tensorsByLevel[level], !tensors.isEmpty else { continue }
                let output = try model.embedImages(preprocessor.batch(tensors), level: level)
                vectors.append((level, output, keysByLevel[level]!))
            }
            try cache.write { batch in
                for (level, output, keys) in vectors {
                    try batch.storeVectors(output, for: keys, fingerprint: fingerprint, level: CacheLevel(level))
                }
            }
            for (level, _, keys) in vectors { embedded[level, default: 0] += keys.count }
            state.done += chunk.count
            state.elapsed = Date().timeIntervalSince(start)
            progress(state)
        }
        var report = Report(progress: state, embedded: embedded, failures: failures, cancelled: cancelled)
        if !cancelled && shard == nil {
            report.searchLists = try SearchListsBuilder.refresh(cache: cache, fingerprint: fingerprint, minimumRows: listsMinimumRows)
        }
        state.elapsed = Date().timeIntervalSince(start)
        report.progress = state
        return report
    }
}
