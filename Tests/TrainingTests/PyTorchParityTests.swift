import Foundation
import ScenarioModel
import Testing
@testable import Training

/// The full ScenarioCLIP1 loss (three contrastive levels + EMA-teacher distillation) and every gradient of a
/// tiny model equal PyTorch's (tools/make_training_fixtures.py, float64) within a relative error of 1e-3.
@Suite struct PyTorchParityTests {
    static func fixture() throws -> TrainingTensorFile {
        let dir = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try TrainingTensorFile(contentsOf: dir.appendingPathComponent("tiny_scenarioclip1.safetensors"))
    }

    static func tinyConfig() -> TrainableModelConfig {
        var c = TrainableModelConfig.tiny(threeLevel: true, vocabSize: 64)
        c.embedDim = 32
        return c
    }

    /// Relative L2 error `‖a − b‖ / ‖b‖`.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Double {
        var num = 0.0, den = 0.0
        for (x, y) in zip(a, b) { num += Double(x - y) * Double(x - y); den += Double(y) * Double(y) }
        return (num / max(den, 1e-30)).squareRoot()
    }

    @Test func lossAndGradientsMatchPyTorch() throws {
        let f = try Self.fixture()
        let model = TrainableModel(config: Self.tinyConfig(), seed: 0)
        for p in model.parameters { p.value = try f.floats("student.\(p.name)") }
        var options = TrainingOptions()
        options.architecture = .scenarioclip1
        let trainer = ScenarioTrainer(model: model, options: options, totalSteps: 1)
        for p in try #require(trainer.teacher).parameters { p.value = try f.floats("teacher.\(p.name)") }
        for level in Level.allCases {
            trainer.logitScales[level]!.value = try f.floats("student.\(level.rawValue)_loss.logit_scale")
        }
        trainer.studentLogScale.value = try f.floats("student.\(trainer.studentLogScale.name)")
        var pixels: [Level: [Float]] = [:], ids: [Level: [Int32]] = [:]
        for level in Level.allCases {
            pixels[level] = try f.floats("pixels.\(level.rawValue)")
            ids[level] = try f.int32s("ids.\(level.rawValue)")
        }
        let batch = TrainingBatch(imageSize: 16, tokens: 8, pixels: pixels, ids: ids,
                                  objectsPerScene: try f.int32s("objects_per_scene").map(Int.init),
                                  relationsPerScene: try f.int32s("relations_per_scene").map(Int.init))
        let losses = trainer.evaluate(batch, backward: true)
        for level in Level.allCases {
            let expected = try f.floats("loss.\(level.rawValue)")[0]
            #expect(abs(losses.contrastive[level]! - expected) <= 1e-4 * abs(expected), "\(level) loss")
        }
        let expectedDistill = try f.floats("loss.distillation")[0]
        #expect(abs(losses.distillation - expectedDistill) <= 1e-3 * abs(expectedDistill))
        #expect(abs(losses.total - (try f.floats("loss.total")[0])) <= 1e-4 * losses.total)
        var checked = 0
        for p in trainer.allParameters {
            let reference = try f.floats("grad.\(p.name)")
            let referenceNorm = reference.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            if referenceNorm < 1e-7 {
                // Exactly zero in exact arithmetic (e.g. k_proj.bias: softmax ignores a per-query constant);
                // both sides hold only round-off, so compare absolutely.
                let norm = p.grad.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                #expect(norm < 1e-5, "gradient of \(p.name) should vanish, has norm \(norm)")
            } else {
                let err = Self.relativeError(p.grad, reference)
                #expect(err <= 1e-3, "gradient of \(p.name): relative error \(err)")
            }
            checked += 1
        }
        #expect(checked == model.parameters.count + 4)
    }
}
