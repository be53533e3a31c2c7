import ArgumentParser

/// `scenarioclip bench model`: Loading a full-size ScenarioCLIP checkpoint: time and peak memory.
struct BenchModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Loading a full-size ScenarioCLIP checkpoint: time and peak memory.")

    func run() throws {
        throw ValidationError("'bench model' is not available yet in this build.")
    }
}
