import ArgumentParser

/// `scenarioclip bench search`: Vector search over synthetic cached embeddings.
struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Vector search over synthetic cached embeddings.")

    func run() throws {
        throw ValidationError("'bench search' is not available yet in this build.")
    }
}
