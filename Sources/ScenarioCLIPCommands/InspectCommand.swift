import ArgumentParser

/// `scenarioclip inspect`: Describe a model file: architecture, levels, parameters, fingerprint.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a model file: architecture, levels, parameters, fingerprint."
    )

    func run() throws {
        throw ValidationError("'inspect' is not available yet in this build.")
    }
}
