import ArgumentParser

/// `scenarioclip probe`: Train and evaluate a linear probe on cached embeddings.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Train and evaluate a linear probe on cached embeddings."
    )

    func run() throws {
        throw ValidationError("'probe' is not available yet in this build.")
    }
}
