import ArgumentParser
import Scenes

/// `scenarioclip corrections undo`: removes the latest correction (of one scene with --scene).
struct CorrectionsUndoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Remove the latest correction (of one scene with --scene)."
    )

    @OptionGroup var target: CorrectionsDatasetOptions

    @Option(name: .long, help: ArgumentHelp("Undo this scene's latest correction.", valueName: "id"))
    var scene: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let dataset = try target.loadDataset()
        let cache = try target.openCache(for: dataset)
        guard let removed = try cache.removeLastCorrection(sceneID: scene) else {
            throw ValidationError("no correction to undo" + (scene.map { " for scene \($0)" } ?? ""))
        }
        let row = CorrectionRow(removed, number: try cache.allCorrections().count + 1)
        if output.json { try printJSON(row) } else { print("undone: \(row.sceneID)  \(row.summary)") }
    }
}
