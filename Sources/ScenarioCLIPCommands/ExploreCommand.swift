import ArgumentParser
import BundledAssets
import CommandSupport
import Explorer
import Foundation
import ScenarioModel

/// `scenarioclip explore`: Browse a scene dataset in the terminal (the bundled demo by default).
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Browse a scene dataset in the terminal (the bundled demo by default).",
        discussion: """
            A full-screen explorer: scene list with filters, pictures with their object boxes, live queries
            (text or "2:dog" + "ball" - "grass"), the model's zero-shot view, and annotation marks stored in the
            dataset's cache. Press ? inside for the keys. Needs an interactive terminal.
            """
    )

    @Argument(help: "Dataset folder (reference format). Default: the bundled demo dataset.")
    var dataset: String?

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Cache database (vectors and marks). Default: <dataset>/.scenarioclip/cache.sqlite.")
    var cache: String?

    @Option(help: "Colour theme: dark, light, mono, or a path to a .theme file.")
    var theme: String = "dark"

    @Option(help: ArgumentHelp(
        "Pictures: auto (kitty or sixel graphics where the terminal is known to show them, never inside tmux or screen; else symbols), symbols, sixels or kitty.",
        valueName: "mode"))
    var pictures: PictureOption = .auto

    @Flag(help: "Do not draw pictures (boxes only).")
    var noPictures = false

    @Flag(help: "Do not start indexing a dataset that is not indexed yet.")
    var noIndex = false

    @Flag(help: "Do not load a model: browse and mark only.")
    var noModel = false

    func run() throws {
        guard Terminal.isInteractive else {
            FileHandle.standardError.write(Data("error: \(ExplorerError.notATerminal)\n".utf8))
            throw ExitCode(2)
        }
        let datasetURL = try dataset.map { URL(fileURLWithPath: $0) } ?? AssetLocator.url(for: "demo")
        let modelURL = modelOptions.model.map { URL(fileURLWithPath: $0) }
        let loader: (@Sendable () throws -> any SceneEmbedder)?
        var reason = "--no-model"
        if !noModel { modelOptions.precision.announce() }
        if noModel {
            loader = nil
        } else if let made = try? modelOptions.loader() {
            loader = made
        } else {
            loader = nil
            reason = "the bundled model (Assets/\(ScenarioModelLoader.bundledModelPath)) is not installed; pass --model"
        }
        let backend = try LiveExplorerBackend(
            datasetURL: datasetURL, cacheURL: cache.map { URL(fileURLWithPath: $0) },
            modelName: modelURL?.lastPathComponent ?? "scenarioclip-demo", loadModel: loader, modelUnavailableReason: reason)
        try ExplorerApp.run(backend: backend, options: .init(themeName: theme, pictures: !noPictures, pictureOption: pictures, indexOnOpen: !noIndex))
    }
}

