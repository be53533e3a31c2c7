import CLIP
import Foundation
import Numerics
import ScenarioModel
import Testing
import Weights
@testable import Training

/// The trainable towers compute exactly what the inference towers in module CLIP compute with the same weights.
@Suite struct ForwardParityTests {
    static func archive(_ model: TrainableModel) -> InMemoryTensorArchive {
        var tensors: [String: Numerics.Tensor] = [:]
        for p in model.parameters { tensors[p.name] = Numerics.Tensor(shape: p.shape, values: p.value) }
        return InMemoryTensorArchive(tensors)
    }

    @Test func visionAndTextTowersEqualCLIP() throws {
        var config = TrainableModelConfig.tiny(threeLevel: true, vocabSize: 40)
        config.vision.numHiddenLayers = 3
        let model = TrainableModel(config: config, seed: 11)
        let archive = Self.archive(model)
        // The engine's towers built from the very configs the trainable towers were built from.
        let vision = try CLIPVisionTransformer(
            config: config.vision, archive: archive, prefix: "object_visual_encoder.vision_model.")
        let text = try CLIPTextTransformer(config: config.text, archive: archive, prefix: "object_text_encoder.text_model.")
        var rng = TrainingRandom(seed: 2)
        let pixels = rng.normals(count: 3 * 3 * 16 * 16, std: 1)
        let ours = model.imageEncoders[.object]!.tower.forward(pixels, count: 3, train: false)
        let theirs = vision.pooled(Numerics.Tensor(shape: [3, 3, 16, 16], values: pixels)).scalars
        #expect(PyTorchParityTests.relativeError(ours, theirs) < 1e-5)
        let rows: [[Int32]] = [[38, 5, 7, 39, 39, 39, 39, 39], [38, 12, 39, 39, 39, 39, 39, 39], [38, 1, 2, 3, 4, 5, 6, 39]]
        let oursText = model.textEncoders[.object]!.tower.forward(rows.flatMap { $0 }, count: 3, tokens: 8, train: false)
        let theirsText = text.pooled(rows).scalars
        #expect(PyTorchParityTests.relativeError(oursText, theirsText) < 1e-5)
    }
}
