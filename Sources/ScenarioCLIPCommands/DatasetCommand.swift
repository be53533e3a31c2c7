import ArgumentParser

/// `scenarioclip dataset`: make and reshape reference-format datasets.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Make and reshape reference-format datasets.",
        subcommands: [DatasetImportCommand.self]
    )
}
