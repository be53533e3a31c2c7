import ArgumentParser
import EmbeddingCache
import Foundation
import ScenarioModel
import SceneWorkspace

/// `scenarioclip embeddings`: cached embeddings in the layouts big-collection tools read.
struct EmbeddingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embeddings",
        abstract: "Export cached embeddings in clip-retrieval's layout (autofaiss, faiss, vector databases).",
        subcommands: [EmbeddingsExportCommand.self])
}

/// `scenarioclip embeddings export DATASET OUT [--level L] [--dtype float16|float32] [--chunk N]`.
struct EmbeddingsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write cached vectors as img_emb/img_emb_K.npy chunks with metadata/metadata_K.csv tables.",
        discussion: """
            Each chunk's metadata row gives item_id (counted across chunks from 0), scene_id, level, item_index, the
            item key, image_path and the box (x1,y1,x2,y2; empty for whole pictures); embeddings.json records the
            model fingerprint. `scenarioclip import DATASET --model M --layout OUT` reads the layout back. The
            metadata is CSV: no Parquet writer is available as a Debian or a kept Swift package.
            """)

    @Argument(help: ArgumentHelp("Dataset folder.", valueName: "dataset"))
    var dataset: String
    @Argument(help: ArgumentHelp("Output folder.", valueName: "out"))
    var out: String
    @Option(name: .long, help: ArgumentHelp("Embedding cache. Default: <dataset>/.scenarioclip/cache.sqlite.", valueName: "path"))
    var cache: String?
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Level exported, or all.")
    var level: LevelChoice = .global
    @Option(name: .long, help: "Stored type of the vectors.")
    var dtype: VectorDType = .float16
    @Option(name: .long, help: "Rows per .npy chunk (100,000 rows of 512 float16 values are a 100 MB file).")
    var chunk = 100_000

    func validate() throws {
        guard chunk > 0 else { throw ValidationError("--chunk must be positive") }
    }

    func run() throws {
        var options = try DatasetOptions.parse([dataset])
        options.cache = cache
        let scenes = try options.loadDataset()
        let store = try options.openCache(for: scenes, readOnly: true)
        let model = try modelOptions.load()
        let levels = level.levels
        let manifest: EmbeddingsExporter.Manifest
        do {
            manifest = try EmbeddingsExporter.export(
                dataset: scenes, cache: store, fingerprint: model.fingerprint, levels: levels,
                to: URL(fileURLWithPath: out), half: dtype == .float16, chunkRows: chunk)
        } catch let error as EmbeddingsExporter.ExportError {
            throw ValidationError("\(error)")
        }
        print("exported \(manifest.rows) \(manifest.dtype) vectors of width \(manifest.width) "
            + "(\(manifest.levels.joined(separator: ", "))) in \(manifest.chunks) chunk(s) to \(out)")
    }
}
