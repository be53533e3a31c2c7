import Foundation
import Numerics
import Testing
import Weights

@testable import ScenarioModel

/// Fixtures from `tools/make_scenario_fixtures.py models`: tiny reference models and their PyTorch outputs.
enum ScenarioFixtures {
    static var directory: URL { Bundle.module.url(forResource: "Fixtures", withExtension: nil)! }
    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// `expected.pt`: `token_ids [4, 12]`, `pixels [2, 3, 32, 32]`, and `<model>.<level>.<text|image>` embeddings.
    static let expected: TorchCheckpoint = try! TorchCheckpoint(contentsOf: url("expected.pt"))

    static var tokenIDs: [[Int32]] {
        let t = try! expected.tensor("token_ids")
        let columns = t.shape[1]
        return (0..<t.shape[0]).map { r in (0..<columns).map { Int32(t[flat: r * columns + $0]) } }
    }

    static var pixels: Tensor { try! expected.tensor("pixels") }

    static func reference(_ key: String) -> Tensor { try! expected.tensor(key) }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("scenarioclip-model-\(UUID().uuidString)-\(name)")
    }

    /// Asserts max |a − b| ≤ 1e-4 and per-row cosine ≥ 0.99999.
    static func expectClose(
        _ actual: Tensor, _ reference: Tensor, _ what: String, tolerance: Float = 1e-4, cosine: Float = 0.99999,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.shape == reference.shape, "\(what): shape \(actual.shape) vs \(reference.shape)", sourceLocation: sourceLocation)
        guard actual.shape == reference.shape else { return }
        let a = actual.scalars, b = reference.scalars
        let maxDiff = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(maxDiff <= tolerance, "\(what): max abs diff \(maxDiff)", sourceLocation: sourceLocation)
        let width = actual.shape.last!
        for row in 0..<(a.count / width) {
            let x = a[(row * width)..<((row + 1) * width)], y = b[(row * width)..<((row + 1) * width)]
            let dot = zip(x, y).map { $0 * $1 }.reduce(0, +)
            let cos = dot / ((x.map { $0 * $0 }.reduce(0, +)).squareRoot() * (y.map { $0 * $0 }.reduce(0, +)).squareRoot())
            #expect(cos >= cosine, "\(what) row \(row): cosine \(cos)", sourceLocation: sourceLocation)
        }
    }

    /// Checks every level of `model` against `<prefix>.<level>.<text|image>`.
    static func expectMatches(_ model: any SceneEmbedder, prefix: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for level in Level.allCases {
            let text: Tensor
            switch model {
            case let m as ThreeLevelCLIP: text = try m.embedTokens(tokenIDs, level: level)
            case let m as OneLevelCLIP: text = try m.embedTokens(tokenIDs, level: level)
            case let m as HuggingFaceCLIPEmbedder: text = try m.embedTokens(tokenIDs, level: level)
            default: Issue.record("unexpected model type \(type(of: model))"); return
            }
            let image = try model.embedImages(pixels, level: level)
            let key = prefix == "hf" ? prefix : "\(prefix).\(level.rawValue)"
            expectClose(text, reference("\(key).text"), "\(key).text", sourceLocation: sourceLocation)
            expectClose(image, reference("\(key).image"), "\(key).image", sourceLocation: sourceLocation)
        }
    }
}
