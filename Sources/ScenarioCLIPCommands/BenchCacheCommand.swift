import ArgumentParser

/// `scenarioclip bench cache`: Embedding cache open/load and index throughput.
struct BenchCacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cache", abstract: "Embedding cache open/load and index throughput.")

    func run() throws {
        throw ValidationError("'bench cache' is not available yet in this build.")
    }
}
