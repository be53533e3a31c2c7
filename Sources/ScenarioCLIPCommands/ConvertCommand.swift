import ArgumentParser
import Foundation
import ScenarioModel
import Weights

/// `scenarioclip convert`: Convert a ScenarioCLIP checkpoint to safetensors or back.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a ScenarioCLIP checkpoint to safetensors or back.",
        discussion: """
            IN may be a Lightning .ckpt, a .pt state dict (e.g. X_ema_teacher.pt), our .safetensors, or a \
            Hugging Face CLIP folder. `--to safetensors` writes one self-describing file (architecture, tower \
            configs and preprocessing in its metadata). `--to state-dict` writes the reference layout that \
            `ThreeLevelCLIP().load_state_dict(torch.load(OUT, weights_only=True), strict=True)` accepts. \
            The format defaults from OUT's extension.
            """)

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case safetensors
        case stateDict = "state-dict"
    }

    enum Precision: String, ExpressibleByArgument, CaseIterable {
        case f32, f16
        var dtype: StoredDType { self == .f32 ? .float32 : .float16 }
    }

    @Argument(help: "Model to read.")
    var input: String

    @Argument(help: "File to write.")
    var output: String

    @Option(help: "Output format: safetensors or state-dict (default: from OUT's extension).")
    var to: Target?

    @Option(help: "Stored precision: f32 keeps values and the fingerprint; f16 halves the size.")
    var dtype: Precision = .f32

    @OptionGroup var model: ModelFileOptions

    var target: Target {
        to ?? (output.lowercased().hasSuffix(".safetensors") ? .safetensors : .stateDict)
    }

    func run() throws {
        let checkpoint = try model.open(input)
        let url = URL(fileURLWithPath: output)
        switch target {
        case .safetensors: try ScenarioModelFile.write(checkpoint, to: url, dtype: dtype.dtype)
        case .stateDict: try ScenarioModelFile.writeStateDict(checkpoint, to: url, dtype: dtype.dtype)
        }
        print("wrote \(output): \(checkpoint.architecture.rawValue), \(checkpoint.modelTensorNames.count) tensors, \(dtype.rawValue), \(target.rawValue)")
    }
}
