import ArgumentParser
import CommandSupport
import Foundation
import ScenarioModel
import Scenes
import SceneWorkspace

/// `scenarioclip duplicates`: exact and near-duplicate scenes, and the groups that leak across splits.
struct DuplicatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "Find exact and near-duplicate scenes and the groups that leak across train/val/test.",
        discussion: """
            Exact duplicates have byte-identical picture files (SHA-256). Near duplicates have cached embeddings at
            cosine similarity ≥ --threshold at --level (object and relation: any two items of the scenes), among
            each scene's 16 nearest (exact search up to 20,000 rows, IVF lists beyond); pairs are grouped by
            union-find. A leak is a group whose members are in more than one split. See docs/EXPORT.md.
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var grouping: DuplicateOptions
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let workspace = try data.openWorkspace(model: modelOptions)
        try autoIndex.indexMissing(in: workspace)
        let report = try grouping.report(workspace)
        if output.json {
            try printJSON(report)
            return
        }
        for group in report.groups {
            let members = zip(group.ids, group.splits).map { "\($0) (\($1))" }.joined(separator: ", ")
            let similarity = group.kind == .exact ? "" : String(format: " ≥ %.4f", group.similarity)
            print("\(group.kind.rawValue)\(similarity)\(group.isLeak ? " LEAK" : ""): \(members)")
        }
        let exact = report.groups.filter { $0.kind == .exact }.count
        print("\(exact) exact group(s), \(report.groups.count - exact) near group(s), \(report.leaks) leak(s)")
    }
}

/// `--level` and `--threshold`: how duplicates are found.
struct DuplicateOptions: ParsableArguments {
    @Option(name: .long, help: "Level whose embeddings are compared.")
    var level: Level = .global

    @Option(name: .long, help: "Cosine similarity from which two scenes are near duplicates (0.97).")
    var threshold: Float = DuplicateFinder.defaultThreshold

    func validate() throws {
        guard threshold > -1, threshold <= 1 else { throw ValidationError("--threshold must be in (-1, 1] (got \(threshold))") }
    }

    /// The duplicate report of the workspace's dataset, with progress on standard error for large ones.
    func report(_ workspace: Workspace) throws -> DuplicateReport {
        let reporter = ProgressReporter(label: "duplicates")
        let start = Date()
        let report = try workspace.duplicates(level: level, threshold: threshold) { done, total in
            reporter.update(done: done, total: total, elapsed: Date().timeIntervalSince(start))
        }
        reporter.finish()
        return report
    }
}
