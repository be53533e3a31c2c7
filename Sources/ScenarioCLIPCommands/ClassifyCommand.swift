import ArgumentParser

/// `scenarioclip classify`: Zero-shot classification of a scene at all three levels.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Zero-shot classification of a scene at all three levels."
    )

    func run() throws {
        throw ValidationError("'classify' is not available yet in this build.")
    }
}
