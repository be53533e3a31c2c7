import ArgumentParser

/// `scenarioclip import`: Import embeddings computed elsewhere into the cache.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import embeddings computed elsewhere into the cache."
    )

    func run() throws {
        throw ValidationError("'import' is not available yet in this build.")
    }
}
