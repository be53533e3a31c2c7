import ArgumentParser
import CommandSupport
import Foundation
import SceneWorkspace

/// `--no-index`: commands that answer from cached vectors first embed whatever of the dataset is not cached yet
/// for the model, so `eval`, `classify`, `query` and `probe` work on a fresh dataset without a separate `index`.
struct AutoIndexOptions: ParsableArguments {
    @Flag(name: .long, help: "Use only the vectors already cached; do not embed missing items first.")
    var noIndex = false

    /// Embeds the dataset's missing items (announced and with progress on standard error) unless `--no-index`.
    /// Cheap when nothing is missing: file hashes are remembered by size and modification time, and nothing is written.
    /// - Throws: `ExitCode(130)` after Ctrl-C (the finished batches stay cached); cache and model errors.
    func indexMissing(in workspace: Workspace) throws {
        guard !noIndex else { return }
        let indexer = SceneIndexer(dataset: workspace.dataset, cache: workspace.cache, model: workspace.model)
        // Nothing missing: answer without opening a write transaction (read-only caches keep working).
        guard try indexer.missingItemCount() > 0 else { return }
        let interrupt = InterruptFlag()
        let reporter = ProgressReporter(label: "indexing")
        var announced = false
        let report = try indexer.run(
            progress: { progress in
                guard progress.total > 0 else { return }
                if !announced {
                    printError("embedding \(progress.total) item(s) not cached yet for this model "
                        + "(kept in \(workspace.cache.path); --no-index skips this)")
                    announced = true
                }
                reporter.update(done: progress.done, total: progress.total, elapsed: progress.elapsed)
            },
            isCancelled: { interrupt.isRaised },
            waiting: { lock in
                printError("another command is indexing into \(workspace.cache.path) (it holds \(lock)); waiting for it to finish…")
            })
        reporter.finish()
        for failure in report.failures.prefix(5) { printError("not embedded: \(failure)") }
        if report.failures.count > 5 { printError("… and \(report.failures.count - 5) more (see `scenarioclip index`)") }
        if report.cancelled {
            printError("interrupted: the batches embedded so far are kept; rerun to continue")
            throw ExitCode(130)
        }
    }
}
