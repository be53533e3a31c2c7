import ArgumentParser

/// `scenarioclip bench explorer`: Explorer start-up, query and redraw latency.
struct BenchExplorerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explorer", abstract: "Explorer start-up, query and redraw latency.")

    func run() throws {
        throw ValidationError("'bench explorer' is not available yet in this build.")
    }
}
