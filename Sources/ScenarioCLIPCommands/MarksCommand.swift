import ArgumentParser

/// `scenarioclip marks`: Export annotation spot-check marks.
struct MarksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marks",
        abstract: "Export annotation spot-check marks.",
        discussion: "Marks are set in the explorer and stored in the dataset's embedding cache.",
        subcommands: [MarksExportCommand.self]
    )
}
