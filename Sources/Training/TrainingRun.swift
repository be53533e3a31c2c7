import Foundation
import ScenarioModel

/// A whole training run over a ``PreparedDataset``: shuffled epochs over the train split, progress lines
/// (loss per level, scenes/s, ETA), validation loss after each epoch, periodic checkpoints and resume.
public final class TrainingRun {
    public let dataset: PreparedDataset
    public let trainer: ScenarioTrainer
    public let outputDirectory: URL
    /// Optimiser steps between checkpoints (and at every epoch end).
    public var checkpointEvery: Int
    /// Steps between progress lines.
    public var logEvery: Int
    private let log: (String) -> Void
    private let trainScenes: [Int]
    public let stepsPerEpoch: Int
    /// When set, the run saves a checkpoint and stops after this optimiser step (to test or split runs).
    public var stopAfterStep: Int?

    /// Prepares a run; `totalSteps` of the schedule follows from the train split, batch size and epochs.
    public init(dataset: PreparedDataset, model: TrainableModel, options: TrainingOptions, outputDirectory: URL,
                checkpointEvery: Int = 200, logEvery: Int = 10, log: @escaping (String) -> Void) throws {
        self.dataset = dataset
        trainScenes = dataset.scenes(inSplit: 0)
        guard trainScenes.count >= max(2, options.batchSize) else {
            throw TrainingError.invalidDataset("\(trainScenes.count) training scenes for batches of \(options.batchSize)")
        }
        stepsPerEpoch = trainScenes.count / options.batchSize
        trainer = ScenarioTrainer(model: model, options: options, totalSteps: stepsPerEpoch * options.epochs)
        self.outputDirectory = outputDirectory
        self.checkpointEvery = checkpointEvery
        self.logEvery = logEvery
        self.log = log
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
    }

    /// The latest checkpoint's location.
    public var checkpointURL: URL { outputDirectory.appendingPathComponent("checkpoint.safetensors") }

    private func permutation(epoch: Int) -> [Int] {
        var rng = TrainingRandom(seed: trainer.options.seed &+ 0x5851_F42D_4C95_7F2D &* UInt64(epoch + 1))
        var order = trainScenes
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }

    /// Mean losses over the validation split at every level (no augmentation, no gradients).
    public func validationLosses() -> StepLosses? {
        let scenes = dataset.scenes(inSplit: 1)
        let bs = trainer.options.batchSize
        guard scenes.count >= 2 else { return nil }
        let builder = BatchBuilder(dataset: dataset)
        var rng = TrainingRandom(seed: 0)
        var sum = StepLosses(), batches = 0
        var start = 0
        while start < scenes.count {
            let chunk = Array(scenes[start..<min(start + bs, scenes.count)])
            start += bs
            guard chunk.count >= 2 else { break }
            let l = trainer.evaluate(builder.batch(scenes: chunk, augment: false, rng: &rng), backward: false,
                                     levels: Set(Level.allCases))
            sum.accumulate(l)
            batches += 1
        }
        sum.divide(by: batches)
        return sum
    }

    /// Trains to the end, resuming from `resume` when given. Returns the final position.
    @discardableResult
    public func run(resume: URL? = nil) throws -> TrainingCheckpoint.Position {
        let options = trainer.options
        var position = TrainingCheckpoint.Position(step: 0, epoch: 0, batchInEpoch: 0,
                                                   rngWords: TrainingRandom(seed: options.seed).words)
        if let resume {
            position = try TrainingCheckpoint.restore(trainer, from: resume)
            log("resumed from \(resume.path) at step \(position.step) (epoch \(position.epoch + 1), batch \(position.batchInEpoch))")
        }
        let builder = BatchBuilder(dataset: dataset)
        let total = stepsPerEpoch * options.epochs
        let started = Date()
        let startStep = position.step
        var window = StepLosses(), windowCount = 0
        while position.epoch < options.epochs {
            let order = permutation(epoch: position.epoch)
            while position.batchInEpoch < stepsPerEpoch {
                let b = position.batchInEpoch
                let scenes = Array(order[(b * options.batchSize)..<((b + 1) * options.batchSize)])
                var rng = TrainingRandom(words: position.rngWords)
                let batch = builder.batch(scenes: scenes, augment: options.augment, rng: &rng,
                                          pixelLevels: trainer.pixelLevels)
                position.rngWords = rng.words
                let losses = trainer.trainStep(batch)
                position.step = trainer.step
                position.batchInEpoch += 1
                window.accumulate(losses)
                windowCount += 1
                if position.step % logEvery == 0 || position.step == total {
                    window.divide(by: windowCount)
                    let elapsed = Date().timeIntervalSince(started)
                    let done = position.step - startStep
                    let rate = Double(done * options.batchSize) / max(elapsed, 1e-9)
                    let eta = elapsed / Double(max(done, 1)) * Double(total - position.step)
                    let ts = DistillationLoss.studentTemperature(logScale: trainer.studentLogScale.value[0]).value
                    log(String(format: "epoch %d/%d step %d/%d %@ lr %.2e T_s %.3f %.1f scenes/s ETA %@",
                               position.epoch + 1, options.epochs, position.step, total, window.summary,
                               trainer.schedule.rate(at: position.step - 1), ts, rate, Self.duration(eta)))
                    window = StepLosses(); windowCount = 0
                }
                if checkpointEvery > 0 && position.step % checkpointEvery == 0 {
                    try TrainingCheckpoint.save(trainer, position: position, to: checkpointURL)
                }
                if position.step == stopAfterStep {
                    try TrainingCheckpoint.save(trainer, position: position, to: checkpointURL)
                    return position
                }
            }
            position.epoch += 1
            position.batchInEpoch = 0
            if let v = validationLosses() { log("epoch \(position.epoch) validation \(v.summary)") }
            try TrainingCheckpoint.save(trainer, position: position, to: checkpointURL)
        }
        return position
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
    }
}
