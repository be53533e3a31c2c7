import ArgumentParser
import EmbeddingCache
import Foundation
import ScenarioModel
import Scenes
import SceneWorkspace

/// `scenarioclip cache`: operations on embedding caches.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Operations on embedding caches (merge the shards of a sharded index).",
        subcommands: [CacheMergeCommand.self])
}

/// `scenarioclip cache merge DATASET SHARD.sqlite … [--into FILE]`.
struct CacheMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shard caches of `scenarioclip index --shard I/N` into one cache.",
        discussion: """
            Checks every shard first (same split, same dataset content, one model fingerprint) and copies all of
            them in one transaction: a refused or failed merge leaves the target as it was, and merging a shard
            again changes nothing. Marks and other annotation tables are copied (rows the target holds are kept).
            Reports items no shard holds (gaps), shards not given, and pictures held by several shards. IVF
            search lists are built once at the end. A second merge into the same target refuses while one runs.
            """)

    @Argument(help: ArgumentHelp("Dataset folder the shards were indexed from.", valueName: "dataset"))
    var dataset: String
    @Argument(help: ArgumentHelp("Shard caches written by `scenarioclip index --shard`.", valueName: "shard.sqlite"))
    var shards: [String]
    @Option(name: .long, help: ArgumentHelp("Target cache. Default: <dataset>/.scenarioclip/cache.sqlite.", valueName: "path"))
    var into: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give at least one shard cache") }
    }

    func run() throws {
        let scenes = try DatasetOptions.parse([dataset]).loadDataset()
        let target = into.map { URL(fileURLWithPath: $0) } ?? EmbeddingCache.defaultLocation(forDataset: scenes.root)
        let report: CacheMerger.Report
        do {
            report = try CacheMerger.merge(dataset: scenes, shards: shards.map { URL(fileURLWithPath: $0) }, into: target)
        } catch let error as CacheMergeError {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let gaps = report.gaps.values.reduce(0, +)
        if output.json {
            try printJSON(CacheMergeSummary(report: report))
        } else {
            let copied = Level.allCases.map { "\($0.rawValue) \(report.copied[$0] ?? 0)" }.joined(separator: ", ")
            print("merged \(report.shards.count) shard(s) into \(report.target): \(copied) vectors; "
                + String(format: "%.1f s", report.seconds))
            if !report.annotations.isEmpty {
                print("annotations: " + report.annotations.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            for lists in report.searchLists where lists.lists > 0 {
                print("search lists: \(lists.level.rawValue) \(lists.lists) IVF lists over \(lists.rows) vectors")
            }
            let duplicates = report.duplicateKeys.values.reduce(0, +)
            if duplicates > 0 { print("duplicates: \(duplicates) picture(s) held by more than one shard (identical content, kept once)") }
            for repeated in report.repeatedShards { printError("warning: shard \(repeated) given more than once") }
            if !report.absentShards.isEmpty {
                let count = report.shards.first.flatMap { $0.split(separator: " ").first }.map { String($0.split(separator: "/").last ?? "") } ?? ""
                printError("warning: shard(s) not given: " + report.absentShards.map { "\($0)/\(count)" }.joined(separator: ", "))
            }
            if gaps > 0 {
                let detail = Level.allCases.compactMap { level in report.gaps[level].map { "\(level.rawValue) \($0)" } }.joined(separator: ", ")
                printError("gaps: \(gaps) item(s) no shard holds (\(detail)); scenes: \(report.gapScenes.joined(separator: ", "))"
                    + " — run the missing shards and merge them too, or `scenarioclip index` to embed them here")
            } else {
                print("every item of the dataset is now cached")
            }
        }
        if gaps > 0 { throw ExitCode(2) }
    }
}

/// JSON form of a merge.
struct CacheMergeSummary: Encodable {
    var target: String
    var fingerprint: String?
    var shards: [String]
    var copied: [String: Int]
    var duplicates: [String: Int]
    var repeatedShards: [String]
    var absentShards: [Int]
    var gaps: [String: Int]
    var gapScenes: [String]
    var annotations: [String: Int]
    var seconds: Double

    init(report: CacheMerger.Report) {
        target = report.target
        fingerprint = report.fingerprint
        shards = report.shards
        copied = Dictionary(uniqueKeysWithValues: report.copied.map { ($0.key.rawValue, $0.value) })
        duplicates = Dictionary(uniqueKeysWithValues: report.duplicateKeys.map { ($0.key.rawValue, $0.value) })
        repeatedShards = report.repeatedShards
        absentShards = report.absentShards
        gaps = Dictionary(uniqueKeysWithValues: report.gaps.map { ($0.key.rawValue, $0.value) })
        gapScenes = report.gapScenes
        annotations = report.annotations
        seconds = report.seconds
    }
}
