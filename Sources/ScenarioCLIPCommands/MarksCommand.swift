import ArgumentParser

/// `scenarioclip marks`: Export annotation spot-check marks.
struct MarksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "marks",
        abstract: "Export annotation spot-check marks."
    )

    func run() throws {
        throw ValidationError("'marks' is not available yet in this build.")
    }
}
