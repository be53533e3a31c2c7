import ArgumentParser

/// `scenarioclip train`: Train or fine-tune a ScenarioCLIP model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train or fine-tune a ScenarioCLIP model."
    )

    func run() throws {
        throw ValidationError("'train' is not available yet in this build.")
    }
}
