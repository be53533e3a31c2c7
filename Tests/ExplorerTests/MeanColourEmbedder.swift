import Foundation
import Numerics
import ScenarioModel

/// A deterministic stand-in model for the live backend tests: an image embeds to the mean colour of its lit
/// pixels, a text to the first colour it names (``TinyDataset`` draws its first objects orange, the second
/// ones yellow, on green; object names stand for their colour). Counts the texts it embeds, so tests can
/// see what was read from the cache instead.
final class MeanColourEmbedder: SceneEmbedder, @unchecked Sendable {
    // @unchecked Sendable: `lock` guards the counter.
    let fingerprint = "mean-colour-test-v1"
    let embeddingWidth = 4
    let preprocess = PreprocessConfig(imageSize: 8, mean: [0, 0, 0], std: [1, 1, 1])
    private let lock = NSLock()
    private var textCount = 0

    static let orange: [Float] = [200 / 255, 120 / 255, 60 / 255]
    static let yellow: [Float] = [230 / 255, 220 / 255, 40 / 255]
    /// Colour words, and TinyDataset's object names by the colour they are drawn in.
    static let colours: [String: [Float]] = [
        "orange": orange, "yellow": yellow, "green": [30 / 255, 90 / 255, 40 / 255],
        "dog": orange, "person": orange, "cat": orange, "ball": yellow, "cup": yellow, "chair": yellow,
    ]

    /// Texts embedded so far.
    var textsEmbedded: Int { lock.withLock { textCount } }

    func embedTexts(_ texts: [String], level: Level) throws -> Tensor {
        lock.withLock { textCount += texts.count }
        let values = texts.flatMap { text -> [Float] in
            let rgb = text.split(separator: " ").compactMap { Self.colours[String($0)] }.first ?? [0.3, 0.3, 0.3]
            return rgb + [0.05]
        }
        return Tensor(shape: [texts.count, 4], values: values)
    }

    func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor {
        let n = pixels.shape[0], plane = pixels.shape[2] * pixels.shape[3]
        var values: [Float] = []
        pixels.withUnsafeBufferPointer { buffer in
            for image in 0..<n {
                var rgb: [Float] = [0, 0, 0]
                var lit = 0
                for i in 0..<plane {
                    let pixel = (0..<3).map { buffer[(image * 3 + $0) * plane + i] }
                    if pixel.reduce(0, +) > 0.05 {
                        for c in 0..<3 { rgb[c] += pixel[c] }
                        lit += 1
                    }
                }
                values += rgb.map { $0 / Float(max(lit, 1)) } + [0.05]
            }
        }
        return Tensor(shape: [n, 4], values: values)
    }
}
