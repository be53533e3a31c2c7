import ArgumentParser

/// `scenarioclip generate`: Render a synthetic scenario dataset.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Render a synthetic scenario dataset."
    )

    func run() throws {
        throw ValidationError("'generate' is not available yet in this build.")
    }
}
