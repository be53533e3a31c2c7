import Foundation
import Numerics
import ScenarioModel
import Testing
@testable import Training

/// Central finite differences of the whole loss against the analytic gradients, for every parameter of
/// tiny models: covers linear layers, LayerNorm, QuickGELU and GELU, causal and full attention, token, position,
/// class and patch embeddings, CLS/EOS pooling, L2 normalisation, logit scales and the distillation temperature.
@Suite struct GradientCheckTests {
    static func randomBatch(config: TrainableModelConfig, rng: inout TrainingRandom) -> TrainingBatch {
        let s = config.vision.imageSize, c = config.text.maxPositionEmbeddings, v = config.text.vocabSize
        let objects = [2, 1, 3], relations = [1, 2, 1]
        var pixels: [Level: [Float]] = [:], ids: [Level: [Int32]] = [:]
        for (level, n) in [(Level.global, 3), (.object, 6), (.relation, 4)] {
            pixels[level] = rng.normals(count: n * 3 * s * s, std: 1)
            var t = [Int32]()
            for _ in 0..<n {
                t.append(Int32(v - 2))
                for _ in 0..<(1 + Int(rng.next() % 4)) { t.append(Int32(1 + rng.next() % UInt64(v - 4))) }
                t.append(Int32(v - 1))
                while t.count % c != 0 { t.append(Int32(v - 1)) }
            }
            ids[level] = t
        }
        return TrainingBatch(imageSize: s, tokens: c, pixels: pixels, ids: ids, objectsPerScene: objects,
                             relationsPerScene: relations)
    }

    /// A tiny three-level config, a random batch for it (from `seed`) and default options for `architecture`.
    static func threeLevelSetup(architecture: TrainingArchitecture, seed: UInt64)
        -> (TrainableModelConfig, TrainingBatch, TrainingOptions)
    {
        let config = TrainableModelConfig.tiny(threeLevel: true, vocabSize: 32)
        var rng = TrainingRandom(seed: seed)
        let batch = randomBatch(config: config, rng: &rng)
        var options = TrainingOptions()
        options.architecture = architecture
        return (config, batch, options)
    }

    /// Checks the largest-gradient entry and one random entry of every trainable parameter.
    static func check(architecture: TrainingArchitecture, activation: Activation, freeze: Bool,
                      levels: [Level] = Level.allCases) -> (Int, Float) {
        var config = TrainableModelConfig.tiny(threeLevel: architecture.isThreeLevel, vocabSize: 32)
        config.embedDim = 24
        config.vision.hiddenAct = activation.rawValue
        config.text.hiddenAct = activation.rawValue
        let model = TrainableModel(config: config, seed: 3)
        if freeze { model.freeze(visionLayers: 1, textLayers: 1, embeddings: true) }
        var options = TrainingOptions()
        options.architecture = architecture
        options.trainedLevels = levels
        let trainer = ScenarioTrainer(model: model, options: options, totalSteps: 10)
        var rng = TrainingRandom(seed: 9)
        if let teacher = trainer.teacher {
            for p in teacher.parameters {
                let n = rng.normals(count: p.count, std: 0.05)
                for i in 0..<p.count { p.value[i] += n[i] }
            }
        }
        trainer.studentLogScale.value[0] = Float(Foundation.log(1 / 0.2))
        let batch = randomBatch(config: config, rng: &rng)
        trainer.evaluate(batch, backward: true)
        var worst: Float = 0, checked = 0
        for p in trainer.allParameters where p.trainable {
            let analytic = p.grad
            let largest = analytic.indices.max { abs(analytic[$0]) < abs(analytic[$1]) }!
            for i in [largest, Int(rng.next() % UInt64(p.count))] {
                let old = p.value[i]
                let eps: Float = 2e-3
                p.value[i] = old + eps
                let plus = trainer.evaluate(batch, backward: false).total
                p.value[i] = old - eps
                let minus = trainer.evaluate(batch, backward: false).total
                p.value[i] = old
                let numeric = (plus - minus) / (2 * eps)
                // Relative error with an absolute floor for float32 round-off in the loss (≈ 1e-6 / eps).
                let err = abs(numeric - analytic[i]) / (abs(numeric) + abs(analytic[i]) + 0.05)
                worst = max(worst, err)
                checked += 1
            }
        }
        return (checked, worst)
    }

    @Test(arguments: [TrainingArchitecture.scenarioclip1, .scenarioclip0, .onelevel])
    func wholeLossGradientsMatchFiniteDifferences(_ architecture: TrainingArchitecture) {
        let (checked, worst) = Self.check(architecture: architecture, activation: .quickGELU, freeze: false)
        #expect(checked > 100)
        #expect(worst < 0.02, "worst relative error \(worst)")
    }

    @Test func exactGELUAndFrozenLayers() {
        let (checked, worst) = Self.check(architecture: .scenarioclip1, activation: .gelu, freeze: true)
        #expect(checked > 50)
        #expect(worst < 0.02, "worst relative error \(worst)")
    }

    @Test func frozenLayersLeaveGradientsOfTrainableOnesUnchanged() {
        let (config, batch, options) = Self.threeLevelSetup(architecture: .scenarioclip0, seed: 5)
        let full = TrainableModel(config: config, seed: 1)
        let frozen = TrainableModel(config: config, seed: 1)
        frozen.freeze(visionLayers: 1, textLayers: 1, embeddings: true)
        ScenarioTrainer(model: full, options: options, totalSteps: 1).evaluate(batch, backward: true)
        ScenarioTrainer(model: frozen, options: options, totalSteps: 1).evaluate(batch, backward: true)
        for (a, b) in zip(full.parameters, frozen.parameters) {
            if b.trainable {
                #expect(PyTorchParityTests.relativeError(b.grad, a.grad) < 1e-5, "\(b.name)")
            } else {
                #expect(b.grad.allSatisfy { $0 == 0 }, "frozen \(b.name) got a gradient")
            }
        }
        #expect(frozen.parameterCount.trainable < full.parameterCount.trainable)
    }

    /// Training a subset of a three-level model's levels gives those levels' towers exactly the gradients of
    /// a full step (each tower's loss terms are the same), and the other towers none.
    @Test(arguments: [[Level.global], [.object], [.relation, .global]])
    func trainingSomeLevelsGivesTheirTowersTheFullStepsGradients(_ levels: [Level]) {
        var (config, batch, options) = Self.threeLevelSetup(architecture: .scenarioclip1, seed: 6)
        let full = TrainableModel(config: config, seed: 2)
        let fullTrainer = ScenarioTrainer(model: full, options: options, totalSteps: 1)
        let fullLosses = fullTrainer.evaluate(batch, backward: true)
        options.trainedLevels = levels
        let partial = TrainableModel(config: config, seed: 2)
        let partialTrainer = ScenarioTrainer(model: partial, options: options, totalSteps: 1)
        let partialLosses = partialTrainer.evaluate(batch, backward: true)
        #expect(Set(partialLosses.contrastive.keys) == Set(levels))
        for level in levels { #expect(partialLosses.contrastive[level] == fullLosses.contrastive[level]) }
        var trainedTensors = 0
        for (a, b) in zip(full.parameters, partial.parameters) {
            let owner = Level.allCases.first { b.name.hasPrefix($0.rawValue + "_") }!
            #expect(b.trainable == levels.contains(owner), "\(b.name)")
            if b.trainable {
                #expect(PyTorchParityTests.relativeError(b.grad, a.grad) < 1e-6, "\(b.name)")
                #expect(b.grad.contains { $0 != 0 }, "\(b.name) got no gradient")
                trainedTensors += 1
            } else {
                #expect(b.grad.allSatisfy { $0 == 0 }, "untrained \(b.name) got a gradient")
            }
        }
        #expect(trainedTensors > 0)
        for level in Level.allCases {
            #expect(partialTrainer.logitScales[level]!.trainable == levels.contains(level))
        }
    }

    @Test func trainingOneLevelMatchesFiniteDifferences() {
        let (checked, worst) = Self.check(architecture: .scenarioclip1, activation: .quickGELU, freeze: false,
                                          levels: [.global])
        #expect(checked > 30)
        #expect(worst < 0.02, "worst relative error \(worst)")
        let (checkedShared, worstShared) = Self.check(architecture: .onelevel, activation: .quickGELU, freeze: false,
                                                      levels: [.relation])
        #expect(checkedShared > 30)
        #expect(worstShared < 0.02, "worst relative error \(worstShared)")
    }
}
