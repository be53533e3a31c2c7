import ArgumentParser

/// `scenarioclip index`: Embed every scene of a dataset into its cache.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Embed every scene of a dataset into its cache."
    )

    func run() throws {
        throw ValidationError("'index' is not available yet in this build.")
    }
}
