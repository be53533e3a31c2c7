import Foundation
import Numerics
import ScenarioModel

/// A deterministic stand-in model for pipeline tests: an image's embedding is its mean colour, a text's
/// embedding is the colour it names. Counts calls so tests can see what was (re-)embedded.
final class ColourEmbedder: SceneEmbedder, @unchecked Sendable {
    // @unchecked Sendable: `lock` guards the counters.
    let fingerprint: String
    let embeddingWidth = 4
    let preprocess = PreprocessConfig(imageSize: 8, mean: [0, 0, 0], std: [1, 1, 1])
    private let lock = NSLock()
    private(set) var imagesEmbedded = 0

    init(fingerprint: String = "colour-v1") { self.fingerprint = fingerprint }

    static let colours: [String: [Float]] = [
        "red": [1, 0, 0], "green": [0, 1, 0], "blue": [0, 0, 1], "yellow": [1, 1, 0],
    ]

    func embedTexts(_ texts: [String], level: Level) throws -> Tensor {
        var values: [Float] = []
        for text in texts {
            let words = text.split(separator: " ").map(String.init)
            let rgb = words.compactMap { Self.colours[$0] }.first ?? [0.3, 0.3, 0.3]
            values += rgb + [0.05]
        }
        return Tensor(shape: [texts.count, 4], values: values)
    }

    func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor {
        let n = pixels.shape[0], plane = pixels.shape[2] * pixels.shape[3]
        lock.lock()
        imagesEmbedded += n
        lock.unlock()
        var values: [Float] = []
        pixels.withUnsafeBufferPointer { buffer in
            for image in 0..<n {
                var rgb = [Float](repeating: 0, count: 3)
                var lit = 0
                for i in 0..<plane {
                    let r = buffer[(image * 3) * plane + i], g = buffer[(image * 3 + 1) * plane + i]
                    let b = buffer[(image * 3 + 2) * plane + i]
                    if r + g + b > 0.05 {
                        rgb[0] += r
                        rgb[1] += g
                        rgb[2] += b
                        lit += 1
                    }
                }
                values += rgb.map { $0 / Float(max(lit, 1)) } + [0.05]
            }
        }
        return Tensor(shape: [n, 4], values: values)
    }

    func resetCount() {
        lock.lock()
        imagesEmbedded = 0
        lock.unlock()
    }
}
