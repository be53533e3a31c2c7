import ArgumentParser

/// `scenarioclip bench`: speed and memory figures, one subcommand per area. Prints figures; never a test.
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure engine, image, search, cache, explorer and training speed.",
        subcommands: [
            BenchEngineCommand.self,
            BenchImagesCommand.self,
            BenchModelCommand.self,
            BenchSearchCommand.self,
            BenchDuplicatesCommand.self,
            BenchCacheCommand.self,
            BenchIndexCommand.self,
            BenchExplorerCommand.self,
            BenchTrainingCommand.self,
            BenchImportCommand.self,
            BenchMergeCommand.self,
            BenchMapCommand.self,
        ]
    )

    public init() {}
}
