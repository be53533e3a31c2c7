import ArgumentParser
import Foundation
import Training

/// `scenarioclip train`: Train or fine-tune a ScenarioCLIP model.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train or fine-tune a ScenarioCLIP model.",
        discussion: """
            DATASET is a prepared dataset file (tools/prepare_training_data.py DATASET_DIR OUT.safetensors decodes,
            resizes and tokenises a dataset in the reference format once). Writes OUT/checkpoint.safetensors
            (weights, AdamW moments, EMA teacher, step, RNG; --resume continues from it) and OUT/model.safetensors,
            then prints zero-shot top-1/5 on the test split for seen and unseen compositions.
            """
    )

    @Argument(help: "Prepared dataset (.safetensors).") var dataset: String
    @Option(help: "scenarioclip1 | scenarioclip0 | onelevel.") var arch: String = "scenarioclip1"
    @Option(help: "Start from this checkpoint or exported model's weights.") var `init`: String?
    @Option(help: "Model size when training from scratch: tiny | demo | vit-b32.") var config: String = "demo"
    @Option(help: "Output folder.") var out: String
    @Option(help: "Epochs.") var epochs: Int = 8
    @Option(help: "Scenes per batch.") var batchSize: Int = 32
    @Option(help: "Peak learning rate.") var lr: Float = 1e-3
    @Option(help: "AdamW weight decay (not on biases, norms, embeddings, scales).") var weightDecay: Float = 0.1
    @Option(help: "EMA teacher decay.") var emaDecay: Float = 0.99
    @Option(help: "Steps over which the EMA decay ramps up.") var emaWarmup: Int = 50
    @Option(help: "Frozen lower vision layers.") var frozenVisionLayers: Int = 0
    @Option(help: "Frozen lower text layers.") var frozenTextLayers: Int = 0
    @Flag(help: "Freeze token, position, class and patch embeddings.") var freezeEmbeddings = false
    @Flag(help: "Turn off the train-time augmentations.") var noAugment = false
    @Option(help: "Random seed (initialisation, order, augmentation).") var seed: UInt64 = 0
    @Option(help: "OpenBLAS threads (results are reproducible for a fixed count).") var threads: Int = 1
    @Flag(help: "Run the three levels on separate threads.") var parallelLevels = false
    @Option(help: "Steps between checkpoints.") var checkpointEvery: Int = 100
    @Flag(help: "Continue from OUT/checkpoint.safetensors.") var resume = false
    @Flag(help: "Write the final model in float16.") var half = false

    func validate() throws {
        guard TrainingArchitecture(rawValue: arch) != nil else {
            throw ValidationError("--arch must be scenarioclip1, scenarioclip0 or onelevel, not '\(arch)'")
        }
        guard ["tiny", "demo", "vit-b32"].contains(config) else {
            throw ValidationError("--config must be tiny, demo or vit-b32, not '\(config)'")
        }
        guard epochs > 0, batchSize >= 2 else { throw ValidationError("need --epochs ≥ 1 and --batch-size ≥ 2") }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dataset, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("\(dataset) is a dataset folder; prepare it first: "
                                  + "tools/prepare_training_data.py \(dataset) prepared.safetensors")
        }
        TrainingThreads.set(threads)
        let data = try PreparedDataset(contentsOf: URL(fileURLWithPath: dataset))
        let architecture = TrainingArchitecture(rawValue: arch)!
        var options = TrainingOptions()
        options.architecture = architecture
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = lr
        options.weightDecay = weightDecay
        options.emaDecay = emaDecay
        options.emaWarmupSteps = emaWarmup
        options.frozenVisionLayers = frozenVisionLayers
        options.frozenTextLayers = frozenTextLayers
        options.freezeEmbeddings = freezeEmbeddings
        options.augment = !noAugment
        options.seed = seed
        options.parallelLevels = parallelLevels
        var modelConfig: TrainableModelConfig
        if let initPath = `init` {
            modelConfig = try TrainingCheckpoint.config(at: URL(fileURLWithPath: initPath))
        } else {
            switch config {
            case "tiny": modelConfig = .tiny()
            case "vit-b32": modelConfig = .vitB32
            default: modelConfig = .demo
            }
            modelConfig.vision.imageSize = data.imageSize
            modelConfig.text.maxPositionEmbeddings = data.context
        }
        modelConfig.threeLevel = architecture.isThreeLevel
        guard modelConfig.vision.imageSize == data.imageSize, modelConfig.text.maxPositionEmbeddings >= data.context else {
            throw ValidationError("the model takes \(modelConfig.vision.imageSize) px images and "
                                  + "\(modelConfig.text.maxPositionEmbeddings) tokens; the dataset has \(data.imageSize) px "
                                  + "and \(data.context) tokens")
        }
        let model = TrainableModel(config: modelConfig, seed: seed)
        if let initPath = `init` { try TrainingCheckpoint.loadWeights(into: model, from: URL(fileURLWithPath: initPath)) }
        model.freeze(visionLayers: frozenVisionLayers, textLayers: frozenTextLayers, embeddings: freezeEmbeddings)
        let counts = model.parameterCount
        print("\(arch): \(counts.total) parameters, \(counts.trainable) trainable; "
              + "\(data.scenes(inSplit: 0).count) training scenes")
        let outURL = URL(fileURLWithPath: out)
        let run = try TrainingRun(dataset: data, model: model, options: options, outputDirectory: outURL,
                                  checkpointEvery: checkpointEvery, logEvery: 10) { print($0) }
        let started = Date()
        try run.run(resume: resume ? run.checkpointURL : nil)
        print(String(format: "trained in %.0f s", Date().timeIntervalSince(started)))
        let modelURL = outURL.appendingPathComponent("model.safetensors")
        try ModelExporter.export(model, source: "scenarioclip train \(arch) on \(URL(fileURLWithPath: dataset).lastPathComponent)", to: modelURL, half: half)
        print("wrote \(modelURL.path)")
        let report = ZeroShotReport.evaluate(model: model, dataset: data, scenes: data.scenes(inSplit: 2))
        print("zero-shot on the test split:\n" + report.markdownTable)
    }
}
