import ArgumentParser
import CommandSupport
import Foundation
import Imaging
import ScenarioModel
import Scenes
import Tokenizer
import Training

/// `scenarioclip train`: Train or fine-tune a ScenarioCLIP model.
struct TrainCommand: ParsableCommand {
    /// `--config`: the size of a model trained from scratch.
    enum ModelSize: String, CaseIterable, ExpressibleByArgument {
        case tiny, demo
        case vitB32 = "vit-b32"
    }

    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train or fine-tune a ScenarioCLIP model.",
        discussion: """
            DATASET is a scene dataset folder in the reference format (metadata*.json + classes.json): its images
            are decoded, resized (--fit) and tokenised once before training (sizes from the model; --save-prepared keeps
            the result for later runs), or a file so prepared (also written by tools/prepare_training_data.py).
            Writes OUT/checkpoint.safetensors
            (weights, AdamW moments, EMA teacher, step, RNG; --resume continues from it) and OUT/model.safetensors,
            then prints zero-shot top-1/5 on the test split for seen and unseen compositions.
            """
    )

    @Argument(help: "Scene dataset folder, or a prepared dataset file (.safetensors).") var dataset: String
    @Option(help: "Model family.") var arch: TrainingArchitecture = .scenarioclip1
    @Option(help: "Start from this checkpoint or exported model's weights.") var `init`: String?
    @Option(help: "Model size when training from scratch.") var config: ModelSize = .demo
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
    @Option(help: "Global images kept at this side for train-time crops when preparing a folder (default: 1.25 × the model's image size).")
    var sourceSize: Int?
    @Option(help: "Also write the prepared dataset to this file (reuse it as DATASET).") var savePrepared: String?
    @Option(help: ArgumentHelp(
        "With --init: add this many layers on top of every vision tower, starting as identities.",
        discussion: "The new layers' attention output and second MLP projections start at zero, so the grown model computes exactly what the --init model did until training changes them."))
    var addVisionLayers: Int = 0
    @Option(help: ArgumentHelp(
        "How pictures become square inputs when preparing a folder: center_crop (CLIP's: shorter side, centre crop) or stretch (the whole picture squeezed to a square).",
        discussion: "Default: the --init model's, else center_crop. The trained model records it, so every later use of the model does the same."))
    var fit: ImageFit?
    @Option(help: ArgumentHelp(
        "Train only these levels, comma-separated: global (or action), object, relation.",
        discussion: "A three-level model's other towers stay exactly as they are and are not run while training, so training one level costs about that level's share of a full step. Distillation keeps the terms whose student is trained. Validation and the final report cover every level."))
    var levels: String?

    /// The levels `--levels` names (every level when it is not given).
    func trainedLevels() throws -> [Level] {
        guard let levels else { return Level.allCases }
        var chosen = Set<Level>()
        for name in levels.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let level = name == "action" ? .global : Level(rawValue: name) else {
                throw ValidationError("--levels: '\(name)' is not a level (global or action, object, relation)")
            }
            chosen.insert(level)
        }
        guard !chosen.isEmpty else { throw ValidationError("--levels names no level") }
        return Level.allCases.filter(chosen.contains)
    }

    func validate() throws {
        guard epochs > 0, batchSize >= 2 else { throw ValidationError("need --epochs ≥ 1 and --batch-size ≥ 2") }
        guard addVisionLayers >= 0 else { throw ValidationError("--add-vision-layers must be 0 or more") }
        if addVisionLayers > 0, `init` == nil {
            throw ValidationError("--add-vision-layers grows a trained model: give --init")
        }
        _ = try trainedLevels()
    }

    func run() throws {
        TrainingThreads.set(threads)
        var modelConfig: TrainableModelConfig
        if let initPath = `init` {
            modelConfig = try TrainingCheckpoint.config(at: URL(fileURLWithPath: initPath))
        } else {
            switch config {
            case .tiny: modelConfig = .tiny()
            case .vitB32: modelConfig = .vitB32
            case .demo: modelConfig = .demo
            }
        }
        let initFit = try `init`.flatMap { try TrainingCheckpoint.fit(at: URL(fileURLWithPath: $0)) }
        let requestedFit = fit
        let data = try loadDataset(imageSize: modelConfig.vision.imageSize, context: modelConfig.text.maxPositionEmbeddings,
                                   fit: requestedFit ?? initFit ?? .centerCrop)
        if let requestedFit, requestedFit != data.fit {
            throw ValidationError("--fit \(requestedFit.rawValue) asked for, but \(dataset) was prepared with \(data.fit.rawValue)")
        }
        if let initFit, initFit != data.fit {
            print("note: \(`init`!) was trained on \(initFit.rawValue) inputs; this run trains it on \(data.fit.rawValue) inputs, and the model it writes expects those")
        }
        if `init` == nil {
            modelConfig.vision.imageSize = data.imageSize
            modelConfig.text.maxPositionEmbeddings = data.context
        }
        let architecture = arch
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
        options.trainedLevels = try trainedLevels()
        modelConfig.threeLevel = architecture.isThreeLevel
        guard modelConfig.vision.imageSize == data.imageSize, modelConfig.text.maxPositionEmbeddings >= data.context else {
            throw ValidationError("the model takes \(modelConfig.vision.imageSize) px images and "
                                  + "\(modelConfig.text.maxPositionEmbeddings) tokens; the dataset has \(data.imageSize) px "
                                  + "and \(data.context) tokens")
        }
        let initLayers = modelConfig.vision.numHiddenLayers
        modelConfig.vision.numHiddenLayers += addVisionLayers
        let model = TrainableModel(config: modelConfig, seed: seed)
        if let initPath = `init` {
            let added = model.visionLayerParameters(from: initLayers)
            try TrainingCheckpoint.loadWeights(into: model, from: URL(fileURLWithPath: initPath), keeping: added)
            if addVisionLayers > 0 {
                model.makeVisionLayersIdentity(from: initLayers)
                print("vision towers grown from \(initLayers) to \(initLayers + addVisionLayers) layers (the new ones start as identities)")
            }
        }
        model.freeze(visionLayers: frozenVisionLayers, textLayers: frozenTextLayers, embeddings: freezeEmbeddings)
        let outURL = URL(fileURLWithPath: out)
        let run = try TrainingRun(dataset: data, model: model, options: options, outputDirectory: outURL,
                                  checkpointEvery: checkpointEvery, logEvery: 10) { print($0) }
        let counts = model.parameterCount
        let levelNote = options.trainedLevels.count < Level.allCases.count
            ? " (levels trained: " + options.trainedLevels.map(\.rawValue).joined(separator: ", ") + ")" : ""
        print("\(arch): \(counts.total) parameters, \(counts.trainable) trainable\(levelNote); "
              + "\(data.scenes(inSplit: 0).count) training scenes")
        let started = Date()
        try run.run(resume: resume ? run.checkpointURL : nil)
        print(String(format: "trained in %.0f s", Date().timeIntervalSince(started)))
        let modelURL = outURL.appendingPathComponent("model.safetensors")
        try ModelExporter.export(model, source: "scenarioclip train \(arch) on \(URL(fileURLWithPath: dataset).lastPathComponent)", to: modelURL, half: half,
                                 fit: data.fit)
        print("wrote \(modelURL.path)")
        let report = ZeroShotAccuracy.evaluate(model: model, dataset: data, scenes: data.scenes(inSplit: 2))
        print("zero-shot on the test split:\n" + report.markdownTable)
    }

    /// The prepared dataset: read from a prepared file, or prepared now from a dataset folder.
    private func loadDataset(imageSize: Int, context: Int, fit: ImageFit) throws -> PreparedDataset {
        let url = URL(fileURLWithPath: dataset)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataset, isDirectory: &isDirectory) else {
            throw ValidationError("\(dataset): no such dataset folder or prepared file")
        }
        guard isDirectory.boolValue else { return try PreparedDataset(contentsOf: url) }
        let scenes = try SceneDataset.load(from: url)
        let sizes = PreparationSizes(imageSize: imageSize, sourceSize: sourceSize ?? (imageSize * 5 + 3) / 4, context: context,
                                     fit: fit)
        let reporter = ProgressReporter(label: "preparing", unit: "scenes")
        let started = Date()
        let data = try PreparedDataset.prepare(scenes, sizes: sizes, tokenizer: try CLIPTokenizer.bundled(),
                                               workers: ProcessInfo.processInfo.activeProcessorCount) { done, total in
            reporter.update(done: done, total: total, elapsed: Date().timeIntervalSince(started))
        }
        reporter.finish()
        print(String(format: "prepared %d scenes (%d objects, %d relations) at %d px", data.sceneCount,
                     data.objectClass.count, data.relationClass.count, imageSize)
              + " (\(fit.rawValue))" + String(format: " in %.1f s", Date().timeIntervalSince(started)))
        if let savePrepared {
            try data.write(to: URL(fileURLWithPath: savePrepared), source: url.standardizedFileURL.path)
            print("wrote \(savePrepared)")
        }
        return data
    }
}
