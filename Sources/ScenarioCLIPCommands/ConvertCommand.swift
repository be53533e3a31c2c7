import ArgumentParser

/// `scenarioclip convert`: Convert a ScenarioCLIP checkpoint to safetensors or back.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a ScenarioCLIP checkpoint to safetensors or back."
    )

    func run() throws {
        throw ValidationError("'convert' is not available yet in this build.")
    }
}
