import ArgumentParser
import Foundation
import Scenes

/// `scenarioclip corrections list`: every stored correction, oldest first (text, --json or --csv).
struct CorrectionsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the dataset's corrections, oldest first (text, --json or --csv)."
    )

    @OptionGroup var target: CorrectionsDatasetOptions

    @Option(name: .long, help: ArgumentHelp("Only this scene's corrections.", valueName: "id"))
    var scene: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Print CSV with a header row.")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("give at most one of --json and --csv") }
    }

    func run() throws {
        try Self.print(target: target, scene: scene, json: json, csv: csv)
    }

    /// Prints the corrections (numbered from 1 in the order made) in the format asked for.
    static func print(target: CorrectionsDatasetOptions, scene: String?, json: Bool, csv: Bool) throws {
        let dataset = try SceneDataset.load(from: URL(fileURLWithPath: target.dataset))
        let rows = try target.readCorrections(for: dataset).enumerated()
            .map { CorrectionRow($0.element, number: $0.offset + 1) }
            .filter { scene == nil || $0.sceneID == scene }
        if json {
            try printJSON(rows)
        } else if csv {
            Swift.print(CorrectionRow.csvHeader)
            for row in rows { Swift.print(row.csvLine) }
        } else {
            for row in rows { Swift.print(row.textLine) }
        }
    }
}
