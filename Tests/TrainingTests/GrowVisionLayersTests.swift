import Foundation
import ScenarioModel
import Testing
@testable import Training

/// Growing a trained model's vision towers by identity layers (`train --add-vision-layers`) keeps every
/// embedding exactly, and the new layers can learn.
@Suite struct GrowVisionLayersTests {
    @Test func grownModelComputesExactlyWhatTheSmallerOneDid() throws {
        let small = TrainableModel(config: .tiny(), seed: 5)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("grow-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelExporter.export(small, source: "test", to: url, half: false)

        var config = try TrainingCheckpoint.config(at: url)
        #expect(config.embedDim == small.config.embedDim)
        let layers = config.vision.numHiddenLayers
        config.vision.numHiddenLayers += 2
        let grown = TrainableModel(config: config, seed: 9)
        let added = grown.visionLayerParameters(from: layers)
        #expect(!added.isEmpty && added.allSatisfy { $0.name.contains(".encoder.layers.\(layers)") || $0.name.contains(".encoder.layers.\(layers + 1)") })
        try TrainingCheckpoint.loadWeights(into: grown, from: url, keeping: added)
        grown.makeVisionLayersIdentity(from: layers)

        var rng = TrainingRandom(seed: 3)
        let s = config.vision.imageSize
        let pixels = rng.normals(count: 2 * 3 * s * s, std: 1)
        for level in Level.allCases {
            #expect(grown.embedImages(pixels, count: 2, level: level) == small.embedImages(pixels, count: 2, level: level),
                    "\(level)")
        }
        // Only the residual outputs are zeroed: the new layers' other weights are random, so gradients reach them.
        let zeroed = added.filter { $0.name.contains("out_proj") || $0.name.contains("fc2") }
        #expect(zeroed.allSatisfy { $0.value.allSatisfy { $0 == 0 } })
        #expect(added.filter { $0.name.hasSuffix("fc1.weight") }.allSatisfy { $0.value.contains { $0 != 0 } })
    }

    @Test func missingLayersAreAnErrorWithoutKeeping() throws {
        let small = TrainableModel(config: .tiny(), seed: 5)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("grow-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ModelExporter.export(small, source: "test", to: url, half: false)
        var config = small.config
        config.vision.numHiddenLayers += 1
        #expect(throws: (any Error).self) {
            try TrainingCheckpoint.loadWeights(into: TrainableModel(config: config, seed: 1), from: url)
        }
    }
}
