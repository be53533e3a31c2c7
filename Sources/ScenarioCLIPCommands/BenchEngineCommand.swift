import ArgumentParser

/// `scenarioclip bench engine`: CLIP towers at ViT-B/32 shapes with random weights.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine", abstract: "CLIP towers at ViT-B/32 shapes with random weights.")

    func run() throws {
        throw ValidationError("'bench engine' is not available yet in this build.")
    }
}
