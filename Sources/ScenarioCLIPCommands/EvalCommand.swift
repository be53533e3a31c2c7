import ArgumentParser
import Evaluation
import Foundation
import Scenes
import SceneWorkspace

/// `scenarioclip eval`: the paper's zero-shot protocol on a split, plus image↔text retrieval.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Zero-shot top-1/5/10 for actions, objects and relations, and retrieval recall@1/5/10.",
        discussion: """
            The split is the reference's exactly: Python's random.seed(SEED) and random.shuffle of the records,
            train the first int(0.7n), test the last int(0.2n), val between; records that declare `split` are moved
            to it (`scenarioclip check --json` lists it). Objects and relations count as right when any top-k class is annotated
            on the same image (the reference's rule). Scenes marked `unseen` (held-out compositions) are reported
            separately. Items not cached yet for the model are embedded first (--no-index: only what is cached).
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Split evaluated (the reference's split), or all.")
    var split: SplitChoice = .test
    @Option(name: .long, help: "Seed of the split shuffle.")
    var seed: UInt64 = SceneDataset.defaultSplitSeed
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let workspace = try data.openWorkspace(model: modelOptions)
        try autoIndex.indexMissing(in: workspace)
        let report = try workspace.evaluate(split: split.split, seed: seed)
        if output.json {
            try printJSON(report)
            return
        }
        print(EvalTable.render(report))
    }
}

/// Text tables for evaluation reports.
enum EvalTable {
    static func render(_ report: EvaluationReport) -> String {
        var lines = ["split: \(report.split)   model: \(report.modelFingerprint.prefix(16))   scenes: \(report.overall.scenes)"]
        let ks = report.overall.actions.ks
        let header = "group     task       items  " + ks.map { String(format: "%7@", "top-\($0)") }.joined(separator: " ")
        lines.append(header)
        lines.append(String(repeating: "-", count: header.count))
        var groups: [(String, LevelAccuracies)] = [("all", report.overall)]
        if let seen = report.seen { groups.append(("seen", seen)) }
        if let unseen = report.unseen { groups.append(("unseen", unseen)) }
        for (name, group) in groups {
            for (task, accuracy) in [("action", group.actions), ("object", group.objects), ("relation", group.relations)] {
                let cells = ks.map { String(format: "%6.1f%%", accuracy.accuracy(at: $0) * 100) }.joined(separator: " ")
                lines.append(name.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + task.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: "%6d  ", accuracy.total) + cells)
            }
        }
        if let retrieval = report.retrieval {
            lines.append("")
            lines.append("retrieval (\(report.retrievalTexts ?? "texts")): ")
            for (name, recall) in [("image→text", retrieval.imageToText), ("text→image", retrieval.textToImage)] {
                let cells = recall.ks.map { String(format: "R@%d %5.1f%%", $0, recall.accuracy(at: $0) * 100) }
                lines.append("  " + name.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(format: "%6d  ", recall.total) + cells.joined(separator: "  "))
            }
        }
        if report.skipped > 0 {
            lines.append("")
            lines.append("\(report.skipped) item(s) skipped (not indexed, or label not in classes.json)")
        }
        return lines.joined(separator: "\n")
    }
}
