import ArgumentParser
import CLIP
import CommandSupport
import EmbeddingCache
import Foundation
import Numerics
import ScenarioModel
import SceneGenerator
import Scenes
import SceneWorkspace
import Tokenizer

/// `scenarioclip bench index`: indexing throughput (scenes/s, images/s, items/s) with the bundled model and a
/// ViT-B/32-sized model.
struct BenchIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index throughput (scenes/s, images/s, items/s) for the bundled model and a ViT-B/32-sized model.",
        discussion: """
            Generates demo scenes (256×192 JPEGs with object boxes and relation region files) in a temporary \
            folder and indexes them into a fresh cache with `SceneIndexer` — hashing, JPEG decoding, \
            preprocessing, the model at all three levels and the batched cache writes — once per model: the \
            bundled model, and a ViT-B/32 CLIP (224 px, random float32 weights) embedding every level. \
            Images/s counts decoded files (scene pictures and relation regions); items/s counts embeddings.
            """)

    @Option(help: "Scenes indexed with the bundled model.")
    var scenes = 300

    @Option(help: "Scenes indexed with the ViT-B/32-sized model (0 skips it).")
    var vitScenes = 24

    @Option(help: "Items per model call and per transaction.")
    var batchSize = 32

    @Option(help: "Image decoding threads.")
    var workers = 2

    @Option(help: "Folder for the temporary files (default: the system temporary folder).")
    var folder: String?

    @OptionGroup var precision: PrecisionOptions

    func validate() throws {
        guard scenes > 0, vitScenes >= 0, batchSize > 0, workers > 0 else {
            throw ValidationError("--scenes, --batch-size and --workers must be positive, --vit-scenes not negative")
        }
    }

    func run() throws {
        let base = folder.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let work = base.appendingPathComponent("scenarioclip-bench-index-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let generator = try SceneGenerator(seed: 7)
        let root = work.appendingPathComponent("scenes")
        try DatasetWriter(directory: root).write(generator, count: max(scenes, vitScenes))
        print("bench index: \(ProcessInfo.processInfo.activeProcessorCount) cores, batch \(batchSize), \(workers) decode workers")

        precision.announce()
        try measure(
            name: "bundled model", model: try ScenarioModelLoader.bundled(precision: precision.precision), root: root,
            count: scenes, work: work)
        if vitScenes > 0 {
            let (clip, bytes) = try BenchEngineCommand.randomModel(CLIPConfig(), precision: precision.precision)
            let model = try RandomCLIPEmbedder(model: clip)
            try measure(name: String(format: "ViT-B/32 (random weights, %.0f MB)", Double(bytes) / 1e6), model: model,
                        root: root, count: vitScenes, work: work)
        }
    }

    private func measure(name: String, model: any SceneEmbedder, root: URL, count: Int, work: URL) throws {
        let full = try SceneDataset.load(from: root)
        let dataset = SceneDataset(root: full.root, records: Array(full.records.prefix(count)), classes: full.classes)
        let cacheURL = work.appendingPathComponent("cache-\(UUID().uuidString).sqlite")
        let cache = try EmbeddingCache.open(at: cacheURL)
        let indexer = SceneIndexer(dataset: dataset, cache: cache, model: model, batchSize: batchSize, workers: workers)
        let files = Set(try indexer.refreshItems().items.map(\.file)).count
        let cpuStart = clock()
        let report = try indexer.run()
        let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        let seconds = report.progress.elapsed
        let items = report.embedded.values.reduce(0, +)
        let levels = Level.allCases.map { "\($0.rawValue) \(report.embedded[$0] ?? 0)" }.joined(separator: ", ")
        print("  \(name), \(model.preprocess.imageSize) px: \(dataset.records.count) scenes, \(files) image files, \(items) items (\(levels))")
        print(String(format: "    %.1f s wall (%.1f s CPU): %.2f scenes/s, %.2f images/s, %.2f items/s%@",
                     seconds, cpu, Double(dataset.records.count) / seconds, Double(files) / seconds, Double(items) / seconds,
                     report.failures.isEmpty ? "" : " — \(report.failures.count) failures, first: \(report.failures[0])"))
    }
}

/// One CLIP model embedding every level (texts through its text tower, images through its vision tower).
private final class RandomCLIPEmbedder: SceneEmbedder, @unchecked Sendable {
    // @unchecked Sendable: the model and tokenizer are read-only after init.
    let model: CLIPModel
    let tokenizer: CLIPTokenizer
    let fingerprint = "bench-random-vit-b32"
    var embeddingWidth: Int { model.config.projectionDim }
    let preprocess = PreprocessConfig.clip(imageSize: 224)

    init(model: CLIPModel) throws {
        self.model = model
        tokenizer = try CLIPTokenizer.bundled()
    }

    func embedTexts(_ texts: [String], level: Level) throws -> Tensor {
        try model.textFeatures(tokenizer.encode(batch: texts))
    }

    func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor {
        try model.imageFeatures(pixels)
    }
}
