import ArgumentParser
import EmbeddingCache
import Foundation
import Imaging
import Scenes

/// `scenarioclip corrections`: fixes to a dataset's annotation, kept in its cache database.
struct CorrectionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corrections",
        abstract: "Correct a dataset's annotation (kept in its cache), list the corrections, write a corrected copy.",
        discussion: """
            Corrections are made in the explorer or with 'corrections add' and stored in the dataset's embedding \
            cache, never in its metadata. Object and relation numbers N count from 0 in the scene as it stands \
            after its earlier corrections (the order the explorer shows). See docs/CORRECTIONS.md.
            """,
        subcommands: [CorrectionsAddCommand.self, CorrectionsListCommand.self, CorrectionsExportCommand.self,
                      CorrectionsUndoCommand.self, CorrectionsApplyCommand.self]
    )
}

/// The dataset argument and `--cache` of the `corrections` subcommands.
struct CorrectionsDatasetOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Dataset folder with metadata*.json and classes.json.", valueName: "dataset"))
    var dataset: String

    @Option(name: .long, help: ArgumentHelp(
        "Embedding cache database. Default: <dataset>/.scenarioclip/cache.sqlite.", valueName: "path"))
    var cache: String?

    /// The dataset, refused with every error listed when it has errors.
    func loadDataset() throws -> SceneDataset {
        let loaded = try SceneDataset.load(from: URL(fileURLWithPath: dataset))
        if loaded.hasErrors {
            let listed = loaded.errors.prefix(20).map { "  \($0)" }.joined(separator: "\n")
            throw ValidationError("the dataset has \(loaded.errors.count) problem(s); run `scenarioclip check` for all of them:\n" + listed)
        }
        return loaded
    }

    func cacheURL(for dataset: SceneDataset) -> URL {
        cache.map { URL(fileURLWithPath: $0) } ?? EmbeddingCache.defaultLocation(forDataset: dataset.root)
    }

    /// The cache, opened writable (created when missing).
    func openCache(for dataset: SceneDataset) throws -> EmbeddingCache {
        try EmbeddingCache.open(at: cacheURL(for: dataset))
    }

    /// The dataset's corrections, or none when it has no cache yet (nothing is created).
    func readCorrections(for dataset: SceneDataset) throws -> [SceneCorrection] {
        let url = cacheURL(for: dataset)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let writable = FileManager.default.isWritableFile(atPath: url.path)
        return try EmbeddingCache.open(at: url, options: CacheOptions(readOnly: !writable)).allCorrections()
    }
}

/// One correction as `list`, `export`, `add` and `undo` print it.
struct CorrectionRow: Encodable {
    var number: Int
    var sceneID: String
    var kind: String
    var index: Int
    var oldValue: String
    var newValue: String
    var summary: String
    var timestamp: String

    enum CodingKeys: String, CodingKey {
        case number, kind, index, summary, timestamp
        case sceneID = "scene_id"
        case oldValue = "old_value"
        case newValue = "new_value"
    }

    init(_ correction: SceneCorrection, number: Int) {
        self.number = number
        sceneID = correction.sceneID
        kind = correction.kind.rawValue
        index = correction.index
        oldValue = correction.oldValue
        newValue = correction.newValue
        summary = correction.summary
        timestamp = correction.timestamp.formatted(.iso8601)
    }

    static let csvHeader = "number,scene_id,kind,index,old_value,new_value,timestamp"

    var csvLine: String {
        [String(number), sceneID, kind, String(index), oldValue, newValue, timestamp]
            .map(MarksExportCommand.csvField).joined(separator: ",")
    }

    var textLine: String { "\(number)  \(sceneID)  \(summary)  \(timestamp)" }
}
