import EmbeddingCache
import Foundation
import ScenarioModel
import Scenes

/// A set of scenes that are copies of one another.
public struct DuplicateGroup: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The picture files are byte-identical (same SHA-256).
        case exact
        /// The scenes' embeddings are at cosine similarity ≥ the threshold (chained).
        case near
    }

    public var kind: Kind
    /// Scene ids in dataset order.
    public var ids: [String]
    /// The split of each id, parallel to ``ids``.
    public var splits: [String]
    /// 1 for exact groups; for near groups the lowest similarity of the pairs that joined the group.
    public var similarity: Float

    /// `true` when the members are in more than one split.
    public var isLeak: Bool { Set(splits).count > 1 }
}

/// Exact and near-duplicate groups of a dataset and how many of them leak across splits.
public struct DuplicateReport: Sendable, Equatable, Codable {
    public var groups: [DuplicateGroup]
    /// Groups whose members are in more than one split.
    public var leaks: Int
}

extension Workspace {
    /// Exact duplicates (same picture bytes) and near duplicates (cached `level` embeddings at cosine similarity
    /// ≥ `threshold`; for the object and relation levels two scenes are near when any of their items are) of the
    /// dataset. A near group whose members are all one exact group is left out (it says nothing new).
    /// - Throws: ``SceneWorkspaceError/notIndexed(level:hint:)`` when nothing is cached at `level`; unreadable
    ///   picture files.
    public func duplicates(
        level: Level = .global, threshold: Float = DuplicateFinder.defaultThreshold,
        seed: UInt64 = SceneDataset.defaultSplitSeed, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> DuplicateReport {
        let records = dataset.records
        let labels = dataset.splits(seed: seed)
        func group(_ kind: DuplicateGroup.Kind, _ members: [Int], _ similarity: Float) -> DuplicateGroup {
            DuplicateGroup(kind: kind, ids: members.map { records[$0].id }, splits: members.map { labels[$0].rawValue },
                           similarity: similarity)
        }
        // Exact: scenes grouped by the hash of their picture file.
        let hasher = try FileHasher(cache: cache)
        var byHash: [ContentHash: [Int]] = [:]
        for (index, record) in records.enumerated() {
            byHash[try hasher.hash(record.imagePath), default: []].append(index)
        }
        let exactGroups = byHash.values.filter { $0.count > 1 }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
        var exactOf = [Int](repeating: -1, count: records.count)
        for (g, members) in exactGroups.enumerated() { for m in members { exactOf[m] = g } }

        // Near: item pairs → scene pairs → components.
        let vectors = try vectors(level)
        let base = try index(level)
        let total = vectors.count
        let rowProgress: (@Sendable (Int) -> Void)? = progress.map { report in
            { @Sendable (done: Int) -> Void in report(done, total) }
        }
        let rowPairs = try DuplicateFinder.pairs(base: base, lists: try listIndex(level), threshold: threshold,
                                                 progress: rowProgress)
        let sceneOfRow = vectors.sceneIDs.map { dataset.index(ofID: $0) ?? -1 }
        var best: [Int64: Float] = [:]
        for pair in rowPairs {
            let a = sceneOfRow[pair.first], b = sceneOfRow[pair.second]
            guard a >= 0, b >= 0, a != b else { continue }
            let key = Int64(min(a, b)) * Int64(records.count) + Int64(max(a, b))
            best[key] = max(best[key] ?? -1, pair.similarity)
        }
        let scenePairs = best.map { key, similarity in
            DuplicateFinder.Pair(first: Int(key / Int64(records.count)), second: Int(key % Int64(records.count)),
                                 similarity: similarity)
        }
        let nearGroups = DuplicateFinder.groups(count: records.count, pairs: scenePairs).filter { component in
            let g = exactOf[component.members[0]]
            return g < 0 || component.members.contains { exactOf[$0] != g } || component.members.count != exactGroups[g].count
        }
        let groups = exactGroups.map { group(.exact, $0, 1) } + nearGroups.map { group(.near, $0.members, $0.similarity) }
        return DuplicateReport(groups: groups, leaks: groups.filter(\.isLeak).count)
    }

    /// A split of the dataset in the reference's proportions in which every duplicate group of `report` (exact and
    /// near, overlapping groups merged) lies on one side.
    ///
    /// Units (a merged group, or a scene in no group) are taken in the order the reference's shuffle puts their
    /// first member; each unit goes to train while train holds fewer than `int(0.7·n)` scenes, then to val while
    /// train + val hold fewer than `n − int(0.2·n)`, then to test. With no duplicates this is the reference's
    /// split (for fewer than five scenes, where the reference's test overlaps train, the scenes after train go
    /// to test). Declared `split` fields are not consulted: the result replaces them.
    public func groupedSplit(keeping report: DuplicateReport, seed: UInt64 = SceneDataset.defaultSplitSeed) -> [SceneSplit] {
        let n = dataset.records.count
        var sets = UnionFind(count: n)
        for group in report.groups {
            let members = group.ids.compactMap { dataset.index(ofID: $0) }
            for m in members.dropFirst() { sets.union(members[0], m) }
        }
        let order = SplitPartition.reference(count: n, seed: seed)
        // The shuffled order: test is all of it below five records, train + val + test otherwise.
        let shuffled = order.test.count == n ? order.test : order.train + order.val + order.test
        let (trainTarget, testTarget) = SplitPartition.referenceCounts(n)
        let valEnd = testTarget == 0 ? trainTarget : n - testTarget
        var membersOf: [Int: [Int]] = [:]
        var unitOrder: [Int] = []
        for position in shuffled {
            let root = sets.find(position)
            if membersOf[root] == nil { unitOrder.append(root) }
            membersOf[root, default: []].append(position)
        }
        var result = [SceneSplit](repeating: .test, count: n)
        var assigned = 0
        for root in unitOrder {
            let members = membersOf[root] ?? []
            let split: SceneSplit = assigned < trainTarget ? .train : assigned < valEnd ? .val : .test
            for m in members { result[m] = split }
            assigned += members.count
        }
        return result
    }
}
