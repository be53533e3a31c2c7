import ArgumentParser
import ScenarioCLIPBench

/// The `scenarioclip` root command: lists every subcommand.
public struct ScenarioCLIPCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "scenarioclip",
        abstract: "ScenarioCLIP in Swift: explore scene datasets and run three-level zero-shot queries.",
        discussion: """
            Levels: global (whole scene ↔ action), object (object crop ↔ name) and relation
            (focused region ↔ "subject predicate object").
            """,
        version: "0.1.0",
        subcommands: [
            ExploreCommand.self,
            EmbedCommand.self,
            InspectCommand.self,
            ConvertCommand.self,
            GenerateCommand.self,
            CheckCommand.self,
            IndexCommand.self,
            QueryCommand.self,
            ClassifyCommand.self,
            EvalCommand.self,
            ReportCommand.self,
            MapCommand.self,
            ProbeCommand.self,
            ImportCommand.self,
            MarksCommand.self,
            DatasetCommand.self,
            CacheCommand.self,
            EmbeddingsCommand.self,
            DuplicatesCommand.self,
            CorrectionsCommand.self,
            TrainCommand.self,
            BenchCommand.self,
        ]
    )

    public init() {}
}
