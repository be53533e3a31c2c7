import ArgumentParser
import Foundation
import Imaging
import Numerics
import ScenarioModel

/// The ScenarioCLIP path of `scenarioclip embed`: one text or image embedded at one level by a model file
/// (or the bundled demo model), printed as the raw head output (before L2 normalisation).
struct ScenarioEmbedding {
    var level: Level
    var text: String?
    var image: String?
    /// `x1,y1,x2,y2` in pixels: embed the object input (black canvas with only the box pasted back).
    var box: String?
    var json: Bool
    var modelOptions: ModelOptions

    /// Parses `x1,y1,x2,y2` (numbers truncated to integers, as the reference's `int()`).
    static func parseBox(_ text: String) throws -> PixelBox {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " }).map { Double($0) }
        guard !parts.contains(nil), let box = PixelBox(truncating: parts.compactMap { $0 }) else {
            throw ValidationError(
                "--box must be four finite numbers x1,y1,x2,y2 each within ±\(Int(PixelBox.coordinateLimit)) pixels, got '\(text)'")
        }
        return box
    }

    func run() throws {
        let model = try modelOptions.load()
        let embedding: Tensor
        if let text {
            embedding = try model.embedTexts([text], level: level)
        } else if let image {
            let preprocessor = try CLIPPreprocessor(config: model.preprocess)
            let decoded = try Picture.decode(contentsOf: URL(fileURLWithPath: image))
            let pixels = try box.map { try preprocessor.objectTensor(for: decoded, box: Self.parseBox($0)) }
                ?? preprocessor.tensor(for: decoded)
            embedding = try model.embedImages(preprocessor.batch([pixels]), level: level)
        } else {
            throw ValidationError("give --text or --image")
        }
        let numbers = embedding.scalars.map { $0.isFinite ? "\($0)" : "null" }
        if json {
            print("{\"level\": \"\(level.rawValue)\", \"embedding\": [" + numbers.joined(separator: ", ") + "]}")
        } else {
            print(numbers.joined(separator: " "))
        }
    }
}
