import ArgumentParser

/// `scenarioclip embed`: Print an embedding of a text or an image.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print an embedding of a text or an image."
    )

    func run() throws {
        throw ValidationError("'embed' is not available yet in this build.")
    }
}
