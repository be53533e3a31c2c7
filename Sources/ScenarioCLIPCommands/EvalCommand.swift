import ArgumentParser

/// `scenarioclip eval`: Zero-shot evaluation with the paper's protocol.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Zero-shot evaluation with the paper's protocol."
    )

    func run() throws {
        throw ValidationError("'eval' is not available yet in this build.")
    }
}
