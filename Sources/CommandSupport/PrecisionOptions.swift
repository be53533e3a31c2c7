import ArgumentParser
import Foundation
import Numerics

/// `--precision`: how a model's linear weights are stored while it runs (every command that runs a model).
public struct PrecisionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Weights of the model's products: float32 (default, matches PyTorch), float16 (half the memory) or bf16 "
            + "(half the memory; vdpbf16ps where the CPU has AVX512_BF16 and it is the faster kernel, else widened to "
            + "float32; the same results). Vectors of another "
            + "precision are cached as another model.", valueName: "precision"))
    public var precision: Linear.Precision = .float32

    public init() {}

    /// For bf16, a line on standard error naming the product kernel when it is not `vdpbf16ps`: the CPU reports no
    /// bfloat16 dot products, or they were measured slower here than the widened float32 tiles (the option works
    /// either way, with the same results).
    public func announce() {
        guard precision == .bfloat16, BFloat16Kernel.current != .dpbf16 else { return }
        let reason = BFloat16Kernel.reported == .dpbf16
            ? "vdpbf16ps measured slower on this CPU" : "this CPU reports no AVX512_BF16"
        FileHandle.standardError.write(Data(
            "note: \(reason); bf16 products run on \(BFloat16Kernel.current) (same results)\n".utf8))
    }
}

extension Linear.Precision: ExpressibleByArgument {
    /// `float32`/`f32`, `float16`/`f16`, `bf16`/`bfloat16`.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "float32", "f32", "fp32": self = .float32
        case "float16", "f16", "fp16": self = .float16
        case "bf16", "bfloat16": self = .bfloat16
        default: return nil
        }
    }

    /// The spelling `--precision` takes.
    public var argumentName: String {
        switch self {
        case .float32: "float32"
        case .float16: "float16"
        case .bfloat16: "bf16"
        }
    }

    public static var allValueStrings: [String] { allCases.map(\.argumentName) }
    public var defaultValueDescription: String { argumentName }
}
