import ArgumentParser
import Explorer
import Foundation

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

    @Option(help: "Model: Hugging Face folder, .ckpt, .pt or safetensors. Default: the bundled model.")
    var model: String?

    @Option(help: "Colour theme: dark, light, mono, or a path to a .theme file.")
    var theme: String = "dark"

    @Flag(help: "Do not draw pictures (boxes only).")
    var noPictures = false

    @Flag(help: "Do not start indexing a dataset that is not indexed yet.")
    var noIndex = false

    func run() throws {
        guard Terminal.isInteractive else {
            FileHandle.standardError.write(Data("error: \(ExplorerError.notATerminal)\n".utf8))
            throw ExitCode(2)
        }
        throw ValidationError("'explore' cannot load datasets yet in this build (the Scenes module has not landed).")
    }
}
