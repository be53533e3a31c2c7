import EmbeddingCache
import Foundation
import Retrieval
import ScenarioModel
import Scenes

/// Merges the caches of a sharded index (`scenarioclip index --shard I/N`) into one cache of the dataset.
///
/// Before writing anything it checks every shard: the file exists and is a readable cache with a recorded shard,
/// all shards split the dataset the same N ways, their items digest (``EmbeddingCache/itemsDigest()``) equals the
/// dataset's, and they hold vectors of one model fingerprint. Then every shard is copied in one transaction
/// (``CacheWriteBatch/copyContents(of:)``: vectors byte for byte, marks and every other annotation table), so a
/// failed merge leaves the target as it was; merging the same shard again changes nothing. The IVF search lists
/// are built once afterwards, in their own transaction (they are always rebuildable from the vectors). A lock
/// file beside the target (`<target>.merge-lock`) makes a second merge into the same target refuse while one runs.
public enum CacheMerger {
    /// What a merge did.
    public struct Report: Sendable {
        public var target: String
        public var fingerprint: String?
        /// Shards merged, as "I/N file".
        public var shards: [String]
        /// Vectors copied per level (a vector held by several shards counts once per shard).
        public var copied: [Level: Int]
        /// Item keys held by more than one shard (the same picture in scenes of different shards), per level.
        public var duplicateKeys: [Level: Int]
        /// Shard indices given more than once, with their files.
        public var repeatedShards: [String]
        /// Shard indices of 0..<N that no given file holds.
        public var absentShards: [Int]
        /// Items of the dataset that no shard (nor the target before) holds a vector for, per level.
        public var gaps: [Level: Int]
        /// A few scenes with such items.
        public var gapScenes: [String]
        /// Annotation rows offered per table.
        public var annotations: [String: Int]
        public var searchLists: [SearchListsBuilder.Outcome]
        public var seconds: Double
    }

    /// Merges `shards` into the cache at `target` (created when missing), refreshing its items from `dataset`.
    /// - Throws: ``CacheMergeError`` naming the file and what differs; cache errors of the target.
    public static func merge(dataset: SceneDataset, shards: [URL], into target: URL,
                             listsMinimumRows: Int = IVFIndex.minimumRows) throws -> Report {
        let start = Date()
        guard !shards.isEmpty else { throw CacheMergeError.noShards }
        let lock: CacheFileLock
        do {
            lock = try CacheFileLock.take(beside: target.path, purpose: "merge")
        } catch CacheFileLock.Failure.held(let path) {
            throw CacheMergeError.busy(target.path, detail: "another merge holds \(path); wait for it to finish and rerun")
        } catch {
            throw CacheMergeError.busy(target.path, detail: "\(error)")
        }
        defer { lock.release() }

        // Open and check the shards before touching the target.
        var opened: [(url: URL, cache: EmbeddingCache, shard: ShardSpec)] = []
        for url in shards {
            guard url.standardizedFileURL.path != target.standardizedFileURL.path else {
                throw CacheMergeError.shardIsTarget(url.path)
            }
            guard FileManager.default.fileExists(atPath: url.path) else { throw CacheMergeError.missingShard(url.path) }
            let cache: EmbeddingCache
            do {
                cache = try EmbeddingCache.open(at: url, options: CacheOptions(readOnly: true))
                _ = try cache.schemaInfo()
            } catch {
                throw CacheMergeError.unreadableShard(url.path, detail: "\(error)")
            }
            guard let shard = try cache.shard() else { throw CacheMergeError.notAShard(url.path) }
            if let first = opened.first, first.shard.count != shard.count {
                throw CacheMergeError.otherSplit(url.path, shard: shard, first: first.url.path, firstShard: first.shard)
            }
            opened.append((url, cache, shard))
        }

        let cache = try EmbeddingCache.open(at: target)
        let listed = try SceneIndexer.listItems(dataset: dataset, cache: cache)
        if let failure = listed.failures.first { throw CacheMergeError.datasetUnreadable(failure) }
        let datasetItems = listed.items.map(\.datasetItem)
        let expected = EmbeddingCache.itemsDigest(of: datasetItems)

        var fingerprint: String?
        var fingerprintFile = ""
        var keysSeen: [Level: [ItemKey: Int]] = [:]
        for (url, shardCache, _) in opened {
            let digest = try shardCache.itemsDigest()
            if digest.digest != expected.digest {
                throw CacheMergeError.otherDataset(url.path, detail: try firstDifference(shardCache, datasetItems))
            }
            for (found, _, _) in try shardCache.vectorCounts() {
                if let fingerprint, fingerprint != found {
                    throw CacheMergeError.otherModel(url.path, fingerprint: found, expected: fingerprint, expectedFile: fingerprintFile)
                }
                fingerprint = found
                fingerprintFile = url.path
            }
            if let fingerprint {
                for level in Level.allCases {
                    for key in try shardCache.storedKeys(fingerprint: fingerprint, level: CacheLevel(level)) {
                        keysSeen[level, default: [:]][key, default: 0] += 1
                    }
                }
            }
        }

        var copied: [Level: Int] = [:]
        var annotations: [String: Int] = [:]
        try cache.write { batch in
            try listed.record(batch)
            for (_, shardCache, _) in opened {
                let contents = try batch.copyContents(of: shardCache)
                for (name, count) in contents.vectors {
                    if let level = Level.allCases.first(where: { name.hasSuffix(" " + CacheLevel($0).rawValue) }) {
                        copied[level, default: 0] += count
                    }
                }
                for (table, count) in contents.annotations { annotations[table, default: 0] += count }
            }
        }

        var gaps: [Level: Int] = [:]
        var gapScenes: [String] = []
        if let fingerprint {
            for level in Level.allCases {
                let stored = try cache.storedKeys(fingerprint: fingerprint, level: CacheLevel(level))
                for item in try cache.items(level: CacheLevel(level)) where !stored.contains(item.key) {
                    gaps[level, default: 0] += 1
                    if gapScenes.count < 10 && !gapScenes.contains(item.sceneID) { gapScenes.append(item.sceneID) }
                }
            }
        }
        var byIndex: [Int: [String]] = [:]
        for (url, _, shard) in opened { byIndex[shard.index, default: []].append(url.path) }
        let count = opened[0].shard.count
        let lists = try fingerprint.map {
            try SearchListsBuilder.refresh(cache: cache, fingerprint: $0, minimumRows: listsMinimumRows)
        } ?? []
        return Report(
            target: cache.path, fingerprint: fingerprint,
            shards: opened.map { "\($0.shard) \($0.url.path)" },
            copied: copied,
            duplicateKeys: keysSeen.mapValues { $0.values.filter { $0 > 1 }.count }.filter { $0.value > 0 },
            repeatedShards: byIndex.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
                .map { "\($0.key)/\(count): \($0.value.joined(separator: ", "))" },
            absentShards: (0..<count).filter { byIndex[$0] == nil },
            gaps: gaps, gapScenes: gapScenes, annotations: annotations, searchLists: lists,
            seconds: Date().timeIntervalSince(start))
    }

    /// The first item where a shard's item table differs from the dataset's, for the error message.
    private static func firstDifference(_ shard: EmbeddingCache, _ dataset: [DatasetItem]) throws -> String {
        func ordered(_ items: [DatasetItem]) -> [DatasetItem] {
            items.enumerated().sorted { ($0.element.level.rawValue, $0.offset) < ($1.element.level.rawValue, $1.offset) }.map(\.element)
        }
        let a = ordered(try shard.items()), b = ordered(dataset)
        for (x, y) in zip(a, b) where x != y {
            return "scene \(y.sceneID) \(y.level.rawValue) item \(y.index) is \(y.key.rawValue) in the dataset, "
                + "the shard has scene \(x.sceneID) \(x.level.rawValue) item \(x.index) \(x.key.rawValue)"
        }
        return "the shard lists \(a.count) items, the dataset \(b.count)"
    }
}

/// Why shards could not be merged; each names the file and what differs. Nothing is written when thrown.
public enum CacheMergeError: Error, CustomStringConvertible, Equatable {
    case noShards
    case missingShard(String)
    case unreadableShard(String, detail: String)
    case notAShard(String)
    case shardIsTarget(String)
    case otherSplit(String, shard: ShardSpec, first: String, firstShard: ShardSpec)
    case otherDataset(String, detail: String)
    case otherModel(String, fingerprint: String, expected: String, expectedFile: String)
    case datasetUnreadable(String)
    case busy(String, detail: String)

    public var description: String {
        switch self {
        case .noShards: return "no shard caches given"
        case .missingShard(let path): return "shard \(path) does not exist (did its array task finish?)"
        case .unreadableShard(let path, let detail): return "shard \(path) cannot be read (missing, truncated or damaged): \(detail)"
        case .notAShard(let path): return "\(path) records no shard: it was not written by `scenarioclip index --shard I/N`"
        case .shardIsTarget(let path): return "\(path) is both a shard and the merge target"
        case .otherSplit(let path, let shard, let first, let firstShard):
            return "shard \(path) is \(shard), but \(first) is \(firstShard): the shards split the dataset differently"
        case .otherDataset(let path, let detail):
            return "shard \(path) was indexed from other dataset content: \(detail)"
        case .otherModel(let path, let fingerprint, let expected, let expectedFile):
            return "shard \(path) holds vectors of model \(fingerprint), but \(expectedFile) of model \(expected)"
        case .datasetUnreadable(let failure): return "the dataset cannot be listed: \(failure)"
        case .busy(let path, let detail): return "another merge into \(path) is running: \(detail)"
        }
    }
}
