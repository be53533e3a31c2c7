import ArgumentParser

/// `scenarioclip bench`: Measure engine, image, search and training speed.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure engine, image, search and training speed."
    )

    func run() throws {
        throw ValidationError("'bench' is not available yet in this build.")
    }
}
