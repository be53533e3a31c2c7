import ArgumentParser

/// `scenarioclip check`: Validate a scene dataset and list every problem.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a scene dataset and list every problem."
    )

    func run() throws {
        throw ValidationError("'check' is not available yet in this build.")
    }
}
