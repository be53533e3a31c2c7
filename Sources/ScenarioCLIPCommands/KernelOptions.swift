import ArgumentParser
import CommandSupport
import Numerics
import ScenarioModel

/// `--kernels`: the highest instruction set the model's C kernels may use (the CPU's best by default), to compare
/// levels or to rule one out. Shared by every command that runs a model.
struct KernelOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Highest kernel level for the model: \(KernelLevel.allCases.map(\.rawValue).joined(separator: ", ")). "
            + "Default: the CPU's best (\(KernelLevel.detected.rawValue) here).", valueName: "level"))
    var kernels: KernelLevel?

    /// `model` running its kernels under the ceiling (the model itself without `--kernels`).
    func applied(to model: any SceneEmbedder) -> any SceneEmbedder {
        KernelCeilingEmbedder.wrapping(model, ceiling: kernels)
    }
}

/// A model whose every embedding runs under a kernel ceiling (``KernelLevel/withCeiling(_:_:)``), whichever thread
/// calls it (the explorer embeds from background threads). Same fingerprint: the levels agree within float rounding.
final class KernelCeilingEmbedder: SceneEmbedder {
    let base: any SceneEmbedder
    let ceiling: KernelLevel

    init(_ base: any SceneEmbedder, ceiling: KernelLevel) {
        self.base = base
        self.ceiling = ceiling
    }

    /// `model` under `ceiling`, or `model` itself without one.
    static func wrapping(_ model: any SceneEmbedder, ceiling: KernelLevel?) -> any SceneEmbedder {
        guard let ceiling else { return model }
        return KernelCeilingEmbedder(model, ceiling: ceiling)
    }

    var fingerprint: String { base.fingerprint }
    var embeddingWidth: Int { base.embeddingWidth }
    var preprocess: PreprocessConfig { base.preprocess }

    func embedTexts(_ texts: [String], level: Level) throws -> Tensor {
        try KernelLevel.withCeiling(ceiling) { try base.embedTexts(texts, level: level) }
    }

    func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor {
        try KernelLevel.withCeiling(ceiling) { try base.embedImages(pixels, level: level) }
    }
}
