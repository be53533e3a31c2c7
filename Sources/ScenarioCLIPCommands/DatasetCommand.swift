import ArgumentParser

/// `scenarioclip dataset`: datasets out of datasets (subsets, new splits).
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Write subsets and re-split copies of a dataset in the reference format.",
        subcommands: [DatasetExportCommand.self, DatasetSplitCommand.self]
    )
}
