import ArgumentParser
import Foundation
import Training

/// `scenarioclip bench training`: Training throughput.
struct BenchTrainingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: "Training throughput.",
        discussion: """
            Times ScenarioCLIP1 optimisation steps (contrastive + distillation, AdamW, EMA update) on random
            batches with 4 objects and 3 relations per scene, for the bundled demo config (all layers trained)
            and for ViT-B/32 towers with the reference's frozen layers (embeddings, 6 vision and 10 text layers).
            """
    )

    @Option(help: "Timed steps per config (after one warm-up step).") var steps: Int = 3
    @Option(help: "Scenes per batch for the demo config.") var demoBatch: Int = 32
    @Option(help: "Scenes per batch for the ViT-B/32 config.") var vitBatch: Int = 4
    @Option(help: "OpenBLAS threads.") var threads: Int = 1
    @Flag(help: "Skip the ViT-B/32 config.") var skipVit = false

    func run() throws {
        TrainingThreads.set(threads)
        var configs: [(String, TrainableModelConfig, Int, Bool)] = [("demo (64 px, width 64×4, text 32×2)", .demo, demoBatch, false)]
        if !skipVit { configs.append(("ViT-B/32, frozen embeddings + 6/10 layers", .vitB32, vitBatch, true)) }
        for (name, config, batchSize, freeze) in configs {
            var options = TrainingOptions()
            options.architecture = .scenarioclip1
            let model = TrainableModel(config: config, seed: 1)
            if freeze { model.freeze(visionLayers: 6, textLayers: 10, embeddings: true) }
            let trainer = ScenarioTrainer(model: model, options: options, totalSteps: steps + 1)
            let batch = TrainingBatch.random(config: config, scenes: batchSize, objects: 4, relations: 3, seed: 2)
            trainer.trainStep(batch)
            let started = Date()
            for _ in 0..<steps { trainer.trainStep(batch) }
            let seconds = Date().timeIntervalSince(started)
            print(String(format: "%@: %.2f s/step, %.2f scenes/s (batch %d scenes = %d images, %d threads, %d trainable of %d parameters)",
                         name, seconds / Double(steps), Double(steps * batchSize) / seconds, batchSize, batchSize * 8,
                         threads, model.parameterCount.trainable, model.parameterCount.total))
        }
    }
}
