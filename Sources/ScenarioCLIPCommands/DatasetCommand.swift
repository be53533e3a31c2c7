import ArgumentParser

/// `scenarioclip dataset`: make and reshape reference-format datasets — imported from the source datasets' own
/// files, exported as subsets, re-split.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Make and reshape reference-format datasets: import, export subsets, re-split.",
        subcommands: [DatasetImportCommand.self, DatasetExportCommand.self, DatasetSplitCommand.self]
    )
}
