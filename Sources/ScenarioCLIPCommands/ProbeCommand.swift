import ArgumentParser
import Evaluation
import Foundation
import Scenes
import SceneWorkspace

/// `scenarioclip probe`: the paper's linear probing on cached, frozen embeddings.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Train a linear head on cached embeddings (train split) and evaluate it (test split).",
        discussion: """
            One Linear(width, classes) head trained with cross-entropy and AdamW (weight decay 5e-4) on the frozen
            model's raw embeddings, as the reference's linear probing. The head is saved as JSON (--out) and can be
            used by `scenarioclip classify --probe`.
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Task: action, object or relation.")
    var task: String = "action"
    @Option(name: .long, help: "Training epochs.")
    var epochs = 6
    @Option(name: .long, help: "Learning rate.")
    var lr: Float = 1e-3
    @Option(name: .long, help: "Batch size.")
    var batchSize = 64
    @Option(name: .long, help: "Seed (head initialisation, shuffling).")
    var seed: UInt64 = 42
    @Option(name: .long, help: ArgumentHelp("Where to save the head (JSON). Default: <dataset>/.scenarioclip/probe-<task>.json.", valueName: "file"))
    var out: String?
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard Workspace.level(ofTask: task) != nil else {
            throw ValidationError("--task must be action, object or relation (got '\(task)')")
        }
        guard epochs > 0, batchSize > 0, lr > 0 else { throw ValidationError("--epochs, --batch-size and --lr must be positive") }
    }

    func run() throws {
        let workspace = try data.openWorkspace(model: modelOptions)
        try autoIndex.indexMissing(in: workspace)
        var settings = LinearProbe.Settings()
        settings.epochs = epochs
        settings.learningRate = lr
        settings.batchSize = batchSize
        settings.seed = seed
        let quiet = output.json
        let result = try workspace.probe(level: Workspace.level(ofTask: task)!, settings: settings) { epoch, loss in
            if !quiet { printError(String(format: "epoch %d/%d  loss %.4f", epoch, settings.epochs, loss)) }
        }
        let destination = out.map { URL(fileURLWithPath: $0) }
            ?? workspace.dataset.root.appendingPathComponent(".scenarioclip/probe-\(result.task).json")
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(result).write(to: destination, options: .atomic)
        if output.json {
            try printJSON(ProbeSummary(task: result.task, trainItems: result.trainItems, testItems: result.testItems,
                                       ks: result.test.ks, accuracy: result.test.ks.map { result.test.accuracy(at: $0) },
                                       head: destination.path))
            return
        }
        print("probe \(result.task): trained on \(result.trainItems) item(s), tested on \(result.testItems)")
        print(result.test.ks.map { String(format: "top-%d %.1f%%", $0, result.test.accuracy(at: $0) * 100) }
            .joined(separator: "   "))
        print("head saved to \(destination.path)")
    }
}

/// JSON form of a probe run.
struct ProbeSummary: Encodable {
    var task: String
    var trainItems: Int
    var testItems: Int
    var ks: [Int]
    var accuracy: [Double]
    var head: String
}
