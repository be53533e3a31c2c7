import ArgumentParser
import Foundation
import SceneWorkspace
import Scenes

/// `scenarioclip dataset split`: a copy of the dataset whose `split` fields keep duplicate groups on one side.
struct DatasetSplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Write a copy of DATASET to OUT with a split that keeps duplicate groups together.",
        discussion: """
            The split has the reference's proportions (int(0.7n) train, int(0.2n) test, val between) and follows the
            reference's shuffle, taking each duplicate group (`scenarioclip duplicates`, exact and near, overlapping
            groups merged) as one unit, so no group spans train/val/test. It is written as every record's `split`
            field in OUT/metadata.json (pictures referenced by absolute path); the source is not changed.
            """)

    @OptionGroup var data: DatasetOptions
    @Argument(help: ArgumentHelp("Output dataset folder (must not exist or be empty, unless --force).", valueName: "out"))
    var out: String
    @Flag(name: .long, help: "Keep each duplicate group on one side of the split.")
    var groupDuplicates = false
    @Flag(name: .long, help: "Replace OUT when it exists and is not empty.")
    var force = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var grouping: DuplicateOptions
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    struct Summary: Encodable {
        var out: String
        var records: Int
        var groups: Int
        var counts: [String: Int]
    }

    func validate() throws {
        guard groupDuplicates else { throw ValidationError("dataset split needs --group-duplicates (the only split it writes)") }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try SubsetWriter.checkOutput(outURL, force: force)
        let workspace = try data.openWorkspace(model: modelOptions)
        try autoIndex.indexMissing(in: workspace)
        let report = try grouping.report(workspace)
        let splits = workspace.groupedSplit(keeping: report)
        var records = workspace.dataset.records
        for index in records.indices { records[index].declaredSplit = splits[index] }
        let written = try SubsetWriter.write(records, to: outURL, force: force)
        let counts = Dictionary(SceneSplit.allCases.map { split in (split.rawValue, splits.filter { $0 == split }.count) },
                                uniquingKeysWith: { a, _ in a })
        let summary = Summary(out: outURL.path, records: written.records, groups: report.groups.count, counts: counts)
        if output.json {
            try printJSON(summary)
        } else {
            print("\(outURL.path): \(written.records) records, \(report.groups.count) duplicate group(s) kept together; "
                + "train \(counts["train"] ?? 0), val \(counts["val"] ?? 0), test \(counts["test"] ?? 0)")
        }
    }
}
