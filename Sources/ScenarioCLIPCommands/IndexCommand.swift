import ArgumentParser
import CommandSupport
import EmbeddingCache
import Foundation
import ScenarioModel
import SceneWorkspace

/// `scenarioclip index`: embeds every scene at all three levels into the dataset's cache, incrementally.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Embed every scene of a dataset into its cache (only what is missing).",
        discussion: """
            Global images, object canvases and relation regions are embedded in batches; each batch is committed
            on its own, so Ctrl-C (or a crash) loses at most one batch and a rerun resumes. Vectors are keyed by
            the model's fingerprint and the content of each image, so renamed files reuse their vectors and
            changed files are embedded again.

            --shard I/N embeds only shard I of N (scenes assigned by a hash of their record id; see docs/CLUSTER.md)
            into its own cache, by default <dataset>/.scenarioclip/shards/shard-IIII-of-NNNN.sqlite; `scenarioclip
            cache merge` joins the shards. --shard slurm takes I/N from SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN
            and SLURM_ARRAY_TASK_COUNT.
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Items per model call and per committed transaction.")
    var batchSize = 32
    @Option(name: .long, help: "Threads decoding and preprocessing images.")
    var workers = 2
    @Option(name: .long, help: ArgumentHelp(
        "Embed only shard I of N (I from 0) into its own cache; 'slurm' reads the array task's shard.", valueName: "I/N|slurm"))
    var shard: String?
    @Option(name: .long, help: ArgumentHelp("Milliseconds to wait after each batch (for testing interruption).", visibility: .hidden))
    var pauseAfterBatch = 0
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard workers > 0 else { throw ValidationError("--workers must be positive") }
    }

    func run() throws {
        let spec = try shard.map { text -> ShardSpec in
            do {
                return text == "slurm" ? try ShardSpec.fromSlurm(environment: ProcessInfo.processInfo.environment) : try ShardSpec(parsing: text)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let dataset = try data.loadDataset()
        let cache: EmbeddingCache
        if let spec, data.cache == nil {
            let url = EmbeddingCache.defaultLocation(forDataset: dataset.root).deletingLastPathComponent()
                .appendingPathComponent("shards", isDirectory: true).appendingPathComponent(spec.cacheFileName)
            cache = try EmbeddingCache.open(at: url)
        } else {
            cache = try data.openCache(for: dataset)
        }
        let model = try modelOptions.load()
        let indexer = SceneIndexer(dataset: dataset, cache: cache, model: model, batchSize: batchSize, workers: workers, shard: spec)
        let interrupt = InterruptFlag()
        let reporter = ProgressReporter(label: "indexing")
        let report = try indexer.run(
            progress: {
                reporter.update(done: $0.done, total: $0.total, elapsed: $0.elapsed)
                if pauseAfterBatch > 0 && $0.done > 0 { usleep(UInt32(pauseAfterBatch) * 1000) }
            },
            isCancelled: { interrupt.isRaised },
            waiting: { lock in
                printError("another `scenarioclip index` is writing \(cache.path) (it holds \(lock)); waiting for it to finish…")
            })
        reporter.finish()
        if output.json {
            try printJSON(IndexSummary(report: report, fingerprint: model.fingerprint, cache: cache.path))
        } else {
            let p = report.progress
            let embedded = Level.allCases.map { "\($0.rawValue) \(report.embedded[$0] ?? 0)" }.joined(separator: ", ")
            print("embedded \(p.done - p.failed) item(s) (\(embedded)); \(p.reused) already cached; "
                + "\(p.failed) failed; \(String(format: "%.1f", p.elapsed)) s")
            print("cache: \(cache.path)" + (spec.map { " (shard \($0))" } ?? ""))
            for lists in report.searchLists where lists.lists > 0 {
                print("search lists: \(lists.level.rawValue) \(lists.lists) IVF lists over \(lists.rows) vectors "
                    + "(\(lists.unassignedBefore) were unassigned), \(String(format: "%.1f", lists.seconds)) s")
            }
            for failure in report.failures.prefix(20) { printError("failed: \(failure)") }
            if report.failures.count > 20 { printError("… and \(report.failures.count - 20) more failures") }
            if report.cancelled { printError("interrupted: rerun `scenarioclip index` to finish") }
        }
        if report.cancelled { throw ExitCode(130) }
        if !report.failures.isEmpty { throw ExitCode(1) }
    }
}

/// JSON form of an indexing run.
struct IndexSummary: Encodable {
    var fingerprint: String
    var cache: String
    var embedded: [String: Int]
    var reused: Int
    var failed: Int
    var seconds: Double
    var cancelled: Bool
    var failures: [String]

    init(report: SceneIndexer.Report, fingerprint: String, cache: String) {
        self.fingerprint = fingerprint
        self.cache = cache
        embedded = Dictionary(uniqueKeysWithValues: report.embedded.map { ($0.key.rawValue, $0.value) })
        reused = report.progress.reused
        failed = report.progress.failed
        seconds = report.progress.elapsed
        cancelled = report.cancelled
        failures = report.failures
    }
}
