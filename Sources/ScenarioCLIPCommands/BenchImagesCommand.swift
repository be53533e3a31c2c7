import ArgumentParser

/// `scenarioclip bench images`: JPEG decode + CLIP preprocessing per image.
struct BenchImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "JPEG decode + CLIP preprocessing per image.")

    func run() throws {
        throw ValidationError("'bench images' is not available yet in this build.")
    }
}
