import ArgumentParser
import Foundation
import Scenes
import SceneWorkspace

/// `scenarioclip report`: per class of every level, counts per split, zero-shot accuracy and the most confused pairs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Per class (action, object, relation): counts per split, zero-shot top-1/5, confusions, rare classes.",
        discussion: """
            Counts are over every split. Accuracies are over the items of --split (default all), each item judged \
            against its own label (the zero-shot view's rule): top-1 when the annotated class is the model's best, \
            "outside top 5" when it is not among the best five. The most confused pairs are the largest \
            off-diagonal cells of the top-1 confusion matrix. Each level's line "reference rule" gives top-1/5 as \
            `scenarioclip eval` counts them (any top-k class annotated on the same image). Items not cached yet for \
            the model are embedded first (--no-index: only what is cached).
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Split the accuracies are over.")
    var split: SplitChoice = .all
    @Option(name: .long, help: "A class with fewer annotations than this in train is called rare.")
    var rare = 5
    @Option(name: .long, help: "Most confused pairs listed per level (text output).")
    var confusions = 10
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard rare >= 0 else { throw ValidationError("--rare must be 0 or more (got \(rare))") }
        guard confusions >= 0 else { throw ValidationError("--confusions must be 0 or more (got \(confusions))") }
    }

    func run() throws {
        let workspace = try data.openWorkspace(model: modelOptions)
        try autoIndex.indexMissing(in: workspace)
        let report = try workspace.classReport(split: split.split, rareBelow: rare)
        if output.json {
            try printJSON(report)
            return
        }
        print(ClassReportTable.render(report, confusions: confusions))
    }
}

/// Text tables for class reports: one aligned table per level, then its confusions and call-outs.
enum ClassReportTable {
    static func render(_ report: ClassReport, confusions: Int) -> String {
        var lines = ["split: \(report.split)   model: \(report.modelFingerprint.prefix(16))   scenes: \(report.scenes)"]
        for level in report.levels {
            lines.append("")
            lines += table(level)
            let reference = level.referenceRule
            lines.append(String(format: "%@: %d items, own label top-1 %.1f%%, top-5 %.1f%%; reference rule top-1 %.1f%%, top-5 %.1f%%",
                                level.task, level.evaluated, percent(level.top1, level.evaluated), percent(level.top5, level.evaluated),
                                reference.accuracy(at: 1) * 100, reference.accuracy(at: 5) * 100))
            if confusions > 0, !level.confusions.isEmpty {
                lines.append("most confused (annotated → model's top-1):")
                let shown = level.confusions.prefix(confusions)
                let width = shown.map { $0.annotated.count }.max() ?? 0
                for cell in shown {
                    lines.append("  " + pad(cell.annotated, width) + " → " + cell.predicted + "  ×\(cell.count)")
                }
            }
            if !level.rare.isEmpty {
                lines.append("rare (< \(report.rareThreshold) in train): " + level.rare.joined(separator: ", "))
            }
            if !level.neverInTest.isEmpty { lines.append("never in test: " + level.neverInTest.joined(separator: ", ")) }
            if !level.unused.isEmpty { lines.append("listed but never annotated: " + level.unused.joined(separator: ", ")) }
            if !level.unknownLabels.isEmpty {
                lines.append("annotated but not a class: " + level.unknownLabels.sorted { $0.key < $1.key }
                    .map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
            }
            if level.notIndexed > 0 { lines.append("\(level.notIndexed) item(s) not indexed (left out)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The level's class table, most annotated first.
    static func table(_ level: LevelClassReport) -> [String] {
        let rows = level.classes.filter { $0.total > 0 }.sorted { ($1.total, $0.name) < ($0.total, $1.name) }
        let nameWidth = max(level.task.count, rows.map { $0.name.count }.max() ?? 0)
        let header = pad(level.task, nameWidth) + "  train    val   test  ranked  top-1  top-5  out-5  most confused with"
        var lines = [header, String(repeating: "-", count: header.count)]
        for c in rows {
            var line = pad(c.name, nameWidth)
            line += String(format: "  %5d  %5d  %5d  %6d", c.counts["train"] ?? 0, c.counts["val"] ?? 0, c.counts["test"] ?? 0, c.evaluated)
            if c.evaluated > 0 {
                line += String(format: "  %4.0f%%  %4.0f%%  %5d", c.top1Accuracy * 100, c.top5Accuracy * 100, c.outsideTop5)
            } else {
                line += "      —      —      —"
            }
            if let other = c.mostConfusedWith { line += "  \(other) ×\(c.mostConfusedCount)" }
            var flags: [String] = []
            if c.rare { flags.append("rare") }
            if (c.counts["test"] ?? 0) == 0 { flags.append("not in test") }
            if !flags.isEmpty { line += "  [" + flags.joined(separator: ", ") + "]" }
            lines.append(line)
        }
        return lines
    }

    static func percent(_ part: Int, _ whole: Int) -> Double { whole > 0 ? Double(part) * 100 / Double(whole) : 0 }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
