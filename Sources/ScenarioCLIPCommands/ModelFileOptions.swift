import ArgumentParser
import CommandSupport
import Foundation
import ScenarioModel

/// How a model file is read: `--ema`, `--vision-heads`, `--text-heads`. Part of ``ModelOptions`` (every command
/// that runs a model) and taken alone by `inspect` and `convert`, which read the file named by their argument
/// without running it.
struct ModelFileOptions: ParsableArguments {
    @Flag(name: .customLong("ema"), help: "Use the EMA teacher (X_ema_teacher.pt beside X.ckpt, or the checkpoint's own).")
    var preferEMA = false

    @Option(help: "Vision attention heads (a .ckpt does not store them; default: sidecar/hyper-parameters, else width/64).")
    var visionHeads: Int?

    @Option(help: "Text attention heads (default: sidecar/hyper-parameters, else width/64).")
    var textHeads: Int?

    /// Settings given on the command line (they win over sidecar files and hyper-parameters).
    var overrides: TowerOverrides { TowerOverrides(visionHeads: visionHeads, textHeads: textHeads) }

    func validate() throws {
        if let visionHeads, visionHeads <= 0 { throw ValidationError("--vision-heads must be positive") }
        if let textHeads, textHeads <= 0 { throw ValidationError("--text-heads must be positive") }
    }

    /// Opens `path` with these options, without building the model.
    func open(_ path: String) throws -> ScenarioCheckpoint {
        try ScenarioModelLoader.open(url: URL(fileURLWithPath: path), preferEMA: preferEMA, overrides: overrides)
    }

    /// Whether any of these options was given (they have no effect where no model file is read through them).
    var isGiven: Bool { preferEMA || visionHeads != nil || textHeads != nil }
}
