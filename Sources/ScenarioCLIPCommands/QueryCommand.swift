import ArgumentParser

/// `scenarioclip query`: Rank scenes, objects or relation regions for a query.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Rank scenes, objects or relation regions for a query."
    )

    func run() throws {
        throw ValidationError("'query' is not available yet in this build.")
    }
}
