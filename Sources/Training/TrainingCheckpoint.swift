import Foundation
import Imaging
import ScenarioModel

/// Saving and restoring a whole training state in one safetensors file: model weights (`model.<name>`),
/// loss scales, AdamW moments (`optimizer.m.<name>`, `optimizer.v.<name>`), the EMA teacher
/// (`ema_teacher.<name>`), and in the metadata the step, epoch position, RNG words, options and config.
public enum TrainingCheckpoint {
    /// Where a run stands.
    public struct Position: Codable, Sendable, Equatable {
        public var step: Int
        public var epoch: Int
        public var batchInEpoch: Int
        public var rngWords: [UInt64]
    }

    /// Writes the trainer's state and `position` to `url`.
    public static func save(_ trainer: ScenarioTrainer, position: Position, to url: URL) throws {
        var f = TrainingTensorFile()
        for p in trainer.allParameters {
            try f.set("model.\(p.name)", floats: p.value, shape: p.shape)
            if let m = trainer.optimizer.firstMoment[p.name], let v = trainer.optimizer.secondMoment[p.name] {
                try f.set("optimizer.m.\(p.name)", floats: m, shape: p.shape)
                try f.set("optimizer.v.\(p.name)", floats: v, shape: p.shape)
            }
        }
        if let teacher = trainer.teacher {
            for p in teacher.parameters { try f.set("ema_teacher.\(p.name)", floats: p.value, shape: p.shape) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        f.metadata = [
            "format": "scenarioclip-training-checkpoint",
            "position": String(decoding: try encoder.encode(position), as: UTF8.self),
            "options": String(decoding: try encoder.encode(trainer.options), as: UTF8.self),
            "config": String(decoding: try encoder.encode(trainer.model.config), as: UTF8.self),
            "optimizer_step": String(trainer.optimizer.step),
        ]
        try f.write(to: url)
    }

    /// The model config stored in a checkpoint.
    public static func config(at url: URL) throws -> TrainableModelConfig {
        let f = try TrainingTensorFile(contentsOf: url)
        if let json = f.metadata["config"]?.data(using: .utf8) {
            return try JSONDecoder().decode(TrainableModelConfig.self, from: json)
        }
        if var config = ModelExporter.config(fromMetadata: f.metadata) {
            // The metadata holds the towers; the joint embedding width is the image head's output width.
            let heads = ["global_image_projection.weight", "image_projection.weight"]
            if let width = heads.lazy.compactMap({ f.shape($0)?.first }).first { config.embedDim = width }
            return config
        }
        throw TrainingError.incompatibleCheckpoint(path: url.path, reason: "no model config in the metadata")
    }

    /// How the model in an exported model file expects pictures to become square inputs (its `preprocess`
    /// metadata's `fit`); `nil` for a training checkpoint, which does not record it.
    public static func fit(at url: URL) throws -> ImageFit? {
        let f = try TrainingTensorFile(contentsOf: url)
        guard let json = f.metadata["preprocess"] else { return nil }
        return try ScenarioModelFile.preprocess(json, source: url.path).fit
    }

    /// Restores weights, optimiser moments, teacher and step into `trainer`; returns the saved position.
    public static func restore(_ trainer: ScenarioTrainer, from url: URL) throws -> Position {
        let f = try TrainingTensorFile(contentsOf: url)
        guard let json = f.metadata["position"]?.data(using: .utf8) else {
            throw TrainingError.incompatibleCheckpoint(path: url.path, reason: "no position in the metadata")
        }
        let position = try JSONDecoder().decode(Position.self, from: json)
        for p in trainer.allParameters {
            let values = try f.floats("model.\(p.name)")
            guard values.count == p.count else {
                throw TrainingError.tensorMismatch(path: url.path, name: "model.\(p.name)", expected: "\(p.shape)",
                                                   actual: "\(f.shape("model.\(p.name)") ?? [])")
            }
            p.value = values
            if f.shape("optimizer.m.\(p.name)") != nil {
                trainer.optimizer.firstMoment[p.name] = try f.floats("optimizer.m.\(p.name)")
                trainer.optimizer.secondMoment[p.name] = try f.floats("optimizer.v.\(p.name)")
            }
        }
        if let teacher = trainer.teacher {
            for p in teacher.parameters { p.value = try f.floats("ema_teacher.\(p.name)") }
        }
        trainer.optimizer.step = Int(f.metadata["optimizer_step"] ?? "") ?? position.step
        trainer.step = position.step
        return position
    }

    /// Loads model weights only (e.g. `--init`), by parameter name; frozen/trainable flags are kept. Parameters
    /// in `kept` are not read (layers the file does not have) and keep their values.
    public static func loadWeights(into model: TrainableModel, from url: URL, keeping kept: [Parameter] = []) throws {
        let f = try TrainingTensorFile(contentsOf: url)
        let keptIDs = Set(kept.map(ObjectIdentifier.init))
        for p in model.parameters where !keptIDs.contains(ObjectIdentifier(p)) {
            let key = f.shape("model.\(p.name)") != nil ? "model.\(p.name)" : p.name
            let values = try f.floats(key)
            guard values.count == p.count else {
                throw TrainingError.tensorMismatch(path: url.path, name: key, expected: "\(p.shape)", actual: "\(f.shape(key) ?? [])")
            }
            p.value = values
        }
    }
}
