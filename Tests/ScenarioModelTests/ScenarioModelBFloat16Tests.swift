import Foundation
import Numerics
import Testing

@testable import ScenarioModel

/// Reference-checkpoint models with bfloat16 weights (`--precision bf16`): every level within cosine 0.9999 of
/// PyTorch's float32 embeddings on each bfloat16 kernel this CPU runs (the fallback forced), and cached apart
/// from the float32 model (another fingerprint).
@Suite(.serialized) struct ScenarioModelBFloat16Tests {
    static let models = [("three_level.ckpt", "three"), ("one_level.ckpt", "one"), ("hf_clip", "hf")]

    @Test(arguments: BFloat16Kernel.allCases.filter(\.runsHere))
    func everyLevelStaysCloseToFloat32(kernel: BFloat16Kernel) throws {
        try BFloat16Kernel.withKernel(kernel) {
            for (file, prefix) in Self.models {
                let model = try ScenarioModelLoader.load(url: ScenarioFixtures.url(file), precision: .bfloat16)
                for level in Level.allCases {
                    let text: Tensor
                    switch model {
                    case let m as ThreeLevelCLIP: text = try m.embedTokens(ScenarioFixtures.tokenIDs, level: level)
                    case let m as OneLevelCLIP: text = try m.embedTokens(ScenarioFixtures.tokenIDs, level: level)
                    case let m as HuggingFaceCLIPEmbedder: text = try m.embedTokens(ScenarioFixtures.tokenIDs, level: level)
                    default: Issue.record("unexpected model type \(type(of: model))"); return
                    }
                    let image = try model.embedImages(ScenarioFixtures.pixels, level: level)
                    let key = prefix == "hf" ? prefix : "\(prefix).\(level.rawValue)"
                    for (got, part) in [(text, "text"), (image, "image")] {
                        let reference = ScenarioFixtures.reference("\(key).\(part)")
                        ScenarioFixtures.expectClose(got, reference, "\(kernel) \(key).\(part)", tolerance: 0.05, cosine: 0.9999)
                        #expect(got.maxAbsDifference(reference) > 1e-6, "\(key).\(part): bf16 changes the vectors")
                    }
                }
            }
        }
    }

    @Test func bfloat16IsCachedAsAnotherModel() throws {
        let checkpoint = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"))
        let base = try checkpoint.fingerprint()
        let full = try checkpoint.makeEmbedder(), bf16 = try checkpoint.makeEmbedder(precision: .bfloat16)
        let half = try checkpoint.makeEmbedder(precision: .float16)
        #expect(full.fingerprint == base)
        #expect(bf16.fingerprint != base && half.fingerprint != base && bf16.fingerprint != half.fingerprint)
        #expect(bf16.fingerprint == ModelFingerprint.withPrecision(base, .bfloat16))
        #expect(bf16.fingerprint.count == 64)
        // Stable: the same file and precision give the same key (vectors cached once are found again).
        #expect(try ScenarioModelLoader.load(url: ScenarioFixtures.url("three_level.ckpt"), precision: .bfloat16).fingerprint
            == bf16.fingerprint)
    }
}
