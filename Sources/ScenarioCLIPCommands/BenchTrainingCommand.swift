import ArgumentParser

/// `scenarioclip bench training`: Training throughput.
struct BenchTrainingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "training", abstract: "Training throughput.")

    func run() throws {
        throw ValidationError("'bench training' is not available yet in this build.")
    }
}
