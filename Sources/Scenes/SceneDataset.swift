import Foundation

/// A scene dataset in the reference format: a folder of `metadata*.json` files (`{"data": [record, …]}`)
/// plus `classes.json`.
///
/// Records keep a stable order: metadata files sorted by name, then records in file order. Loading reads
/// only the JSON files unless ``LoadOptions/checkImages`` is set.
public struct SceneDataset: Sendable {
    /// Folder holding the metadata files and `classes.json`.
    public let root: URL
    /// The metadata files read, in load order.
    public let metadataFiles: [URL]
    /// Usable records in stable order (records with a missing id, image path or action, and later
    /// duplicates of an id, are left out and reported in ``problems``).
    public let records: [SceneRecord]
    /// Class lists from `classes.json`, or derived from the records when the file is missing.
    public let classes: SceneClasses
    /// `true` when ``classes`` came from `classes.json`.
    public let hasClassesFile: Bool
    /// Every problem found while loading, in the order met.
    public let problems: [DatasetProblem]
    private let indexByID: [String: Int]

    /// Seed of the default deterministic split.
    public static let defaultSplitSeed: UInt64 = 42

    /// A dataset from records already in memory (for generators and tests).
    public init(
        root: URL, records: [SceneRecord], classes: SceneClasses? = nil, metadataFiles: [URL] = [],
        problems: [DatasetProblem] = []
    ) {
        var index: [String: Int] = [:]
        index.reserveCapacity(records.count)
        for (i, record) in records.enumerated() where index[record.id] == nil {
            index[record.id] = i
        }
        self.init(root: root, records: records, classes: classes, metadataFiles: metadataFiles, problems: problems, index: index)
    }

    /// A dataset whose id index (the position of each id's first record) is already known.
    init(
        root: URL, records: [SceneRecord], classes: SceneClasses?, metadataFiles: [URL], problems: [DatasetProblem],
        index: [String: Int]
    ) {
        self.root = root
        self.metadataFiles = metadataFiles
        self.records = records
        self.classes = classes ?? SceneClasses.derived(from: records)
        self.hasClassesFile = classes != nil
        self.problems = problems
        self.indexByID = index
    }

    /// Loads and validates the dataset at `url` (a dataset folder, or one metadata JSON file).
    ///
    /// Every problem is collected in ``problems`` unless `options.stopAtFirstProblem` is set.
    /// - Throws: ``ScenesError/unreadableFolder(_:reason:)``, ``ScenesError/noMetadata(_:)``, or
    ///   ``ScenesError/invalidDataset(_:)`` at the first error when asked to stop there.
    public static func load(from url: URL, options: LoadOptions = LoadOptions()) throws -> SceneDataset {
        let (root, files) = try DatasetLoader.metadataFiles(at: url)
        var loader = DatasetLoader(options: options)
        let classes = try loader.loadClasses(root: root)
        var records: [SceneRecord] = []
        for file in files {
            let loaded = try loader.loadRecords(of: file)
            if records.isEmpty { records = loaded } else { records += loaded }
        }
        let index: [String: Int]
        (records, index) = try loader.removingDuplicateIDs(records)
        if let classes {
            try loader.checkLabels(records, against: classes)
        }
        if options.checkImages {
            try loader.checkImages(records)
        }
        return SceneDataset(root: root, records: records, classes: classes, metadataFiles: files, problems: loader.problems, index: index)
    }

    /// Problems of severity error.
    public var errors: [DatasetProblem] { problems.filter { $0.severity == .error } }
    /// `true` when any problem is an error.
    public var hasErrors: Bool { problems.contains { $0.severity == .error } }

    /// Throws ``ScenesError/invalidDataset(_:)`` when the dataset has errors.
    public func requireNoErrors() throws {
        if hasErrors { throw ScenesError.invalidDataset(problems) }
    }

    /// The record with id `id`, or `nil`. O(1).
    public func record(id: String) -> SceneRecord? {
        indexByID[id].map { records[$0] }
    }

    /// Position of the record with id `id` in ``records``, or `nil`. O(1).
    public func index(ofID id: String) -> Int? {
        indexByID[id]
    }

    /// Records of one split (all records when `split` is `nil`), in dataset order: exactly the records
    /// ``splitPartition(seed:)`` puts in `split` (for fewer than five records "test" is every record, as in the
    /// reference).
    public func records(in split: SceneSplit?, seed: UInt64 = SceneDataset.defaultSplitSeed) -> [SceneRecord] {
        guard let split else { return records }
        return splitPartition(seed: seed).indices(of: split).sorted().map { records[$0] }
    }
}
