import ArgumentParser
import BundledAssets
import CommandSupport
import EmbeddingCache
import Foundation
import ScenarioModel
import Scenes
import SceneWorkspace

/// Which model a command runs and how: `--model` (the bundled one when omitted), how its file is read (`--ema`,
/// `--vision-heads`, `--text-heads`), `--kernels` and `--precision`. The one option group of every command that
/// loads a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Model: a Hugging Face CLIP folder, a Lightning .ckpt, a .pt state dict or a ScenarioCLIP .safetensors file. "
            + "Default: the bundled demo model.", valueName: "path"))
    var model: String?

    @OptionGroup var file: ModelFileOptions

    @OptionGroup var kernelOptions: KernelOptions

    @OptionGroup var precision: PrecisionOptions

    /// The file behind `--model`, or the bundled model's.
    func modelURL() throws -> URL {
        if let model { return URL(fileURLWithPath: model) }
        return try AssetLocator.url(for: ScenarioModelLoader.bundledModelPath)
    }

    /// A function that loads the chosen model on each call (weights in the chosen precision, kernels under
    /// `--kernels`), for callers that load it later or on another thread (the explorer). Throws only when no
    /// `--model` is given and the bundled model is not installed.
    func loader() throws -> @Sendable () throws -> any SceneEmbedder {
        let url = try modelURL(), preferEMA = file.preferEMA, overrides = file.overrides
        let precision = self.precision.precision, kernels = kernelOptions.kernels
        return {
            KernelCeilingEmbedder.wrapping(
                try ScenarioModelLoader.load(url: url, preferEMA: preferEMA, overrides: overrides, precision: precision),
                ceiling: kernels)
        }
    }

    /// Loads the chosen model with its weights in the chosen precision (running its kernels under `--kernels`).
    func load() throws -> any SceneEmbedder {
        precision.announce()
        return try loader()()
    }
}

/// The dataset argument and `--cache`: which scenes and which embedding database a command uses.
struct DatasetOptions: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "Dataset folder with metadata*.json and classes.json. Default: the bundled demo.", valueName: "dataset"))
    var dataset: String?

    @Option(name: .long, help: ArgumentHelp(
        "Embedding cache database. Default: <dataset>/.scenarioclip/cache.sqlite.", valueName: "path"))
    var cache: String?

    /// The dataset folder (the bundled demo when none was given).
    func datasetURL() throws -> URL {
        if let dataset { return URL(fileURLWithPath: dataset) }
        return try AssetLocator.url(for: "demo")
    }

    /// Loads the dataset without reading images; stops with every problem listed when it has errors.
    func loadDataset() throws -> SceneDataset {
        let dataset = try SceneDataset.load(from: datasetURL())
        if dataset.hasErrors {
            let listed = dataset.errors.prefix(20).map { "  \($0)" }.joined(separator: "\n")
            let more = dataset.errors.count > 20 ? "\n  … and \(dataset.errors.count - 20) more" : ""
            throw ValidationError(
                "the dataset has \(dataset.errors.count) problem(s); run `scenarioclip check` for all of them:\n"
                    + listed + more)
        }
        return dataset
    }

    /// Opens (creating if needed) the dataset's embedding cache.
    /// - Parameter readOnlyFallback: when the cache cannot be written (read-only media, a read-only file or
    ///   folder), open an existing one read-only instead of failing — for commands that will not write.
    func openCache(for dataset: SceneDataset, readOnly: Bool = false, readOnlyFallback: Bool = false) throws -> EmbeddingCache {
        let url = cache.map { URL(fileURLWithPath: $0) } ?? EmbeddingCache.defaultLocation(forDataset: dataset.root)
        do {
            return try EmbeddingCache.open(at: url, options: CacheOptions(readOnly: readOnly))
        } catch EmbeddingCacheError.readOnly where readOnlyFallback && !readOnly && FileManager.default.fileExists(atPath: url.path) {
            return try EmbeddingCache.open(at: url, options: CacheOptions(readOnly: true))
        }
    }

    /// Dataset, cache and model together (see ``openCache(for:readOnly:readOnlyFallback:)`` for `readOnlyFallback`).
    func openWorkspace(model: ModelOptions, readOnlyFallback: Bool = false) throws -> Workspace {
        let dataset = try loadDataset()
        return Workspace(dataset: dataset, cache: try openCache(for: dataset, readOnlyFallback: readOnlyFallback), model: try model.load())
    }
}

/// `--json`: machine-readable output.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for programs instead of text for people.")
    var json = false
}

/// Writes a value as pretty, key-sorted JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Writes a line on standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
