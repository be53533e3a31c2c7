import Foundation
import Imaging
import Numerics
import Testing
import Weights

@testable import ScenarioModel

/// The reference's tiny models, loaded natively, reproduce PyTorch's embeddings at every level.
@Suite struct ScenarioModelParityTests {
    @Test func lightningCheckpointMatchesEveryLevel() throws {
        let checkpoint = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"))
        #expect(checkpoint.architecture == .threeLevel)
        #expect(checkpoint.variant == "Lightning checkpoint (state_dict)")
        // The losses' logit scales are not model weights.
        #expect(checkpoint.ignoredKeys.sorted() == ["global_loss.logit_scale", "object_loss.logit_scale", "relation_loss.logit_scale"])
        let model = try checkpoint.makeEmbedder()
        #expect(model is ThreeLevelCLIP)
        #expect(model.embeddingWidth == 512)
        try ScenarioFixtures.expectMatches(model, prefix: "three")
    }

    @Test func towerShapesAreInferredFromTensors() throws {
        let checkpoint = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"))
        let v = checkpoint.visionConfig, t = checkpoint.textConfig
        let visionShape: [Int] = [v.hiddenSize, v.numHiddenLayers, v.intermediateSize, v.patchSize, v.imageSize]
        #expect(visionShape == [32, 2, 64, 8, 32])
        let textShape: [Int] = [t.hiddenSize, t.numHiddenLayers, t.intermediateSize, t.vocabSize, t.maxPositionEmbeddings]
        #expect(textShape == [32, 2, 64, 256, 12])
        // Heads: not in the tensors; the fixture's hyper_parameters (and sidecar) say 2.
        #expect(v.numAttentionHeads == 2 && t.numAttentionHeads == 2)
        #expect(t.eosTokenID == 2)  // legacy pooling at argmax(input_ids), as openai/clip-vit-base-patch32
        #expect(checkpoint.preprocess.imageSize == 32)
    }

    @Test func emaTeacherFileMatches() throws {
        let direct = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level_ema_teacher.pt"))
        #expect(direct.variant == "EMA teacher state dict")
        #expect(direct.dtypeCounts() == ["F16": direct.modelTensorNames.count])
        try ScenarioFixtures.expectMatches(try direct.makeEmbedder(), prefix: "ema")
        // Preferring EMA on the .ckpt picks the teacher file beside it.
        let preferred = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"), preferEMA: true)
        #expect(preferred.variant.hasPrefix("EMA teacher (three_level_ema_teacher.pt"))
        try ScenarioFixtures.expectMatches(try preferred.makeEmbedder(), prefix: "ema")
        #expect(try preferred.fingerprint() == direct.fingerprint())
        #expect(try preferred.fingerprint() != ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt")).fingerprint())
    }

    @Test func emaTeacherRegisteredInsideTheStateDict() throws {
        // ScenarioCLIP1's EMAWrapper is a submodule: its teacher may sit in state_dict as `ema.teacher.*`.
        let student = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"))
        let teacher = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level_ema_teacher.pt"))
        var tensors: [(name: String, tensor: Tensor)] = []
        for name in student.modelTensorNames {
            tensors.append((name: "model." + name, tensor: try student.archive.tensor(name)))
            tensors.append((name: "ema.teacher." + name, tensor: try teacher.archive.tensor(name)))
        }
        let url = ScenarioFixtures.temporaryURL("with-ema.pt")
        defer { try? FileManager.default.removeItem(at: url) }
        try TorchStateDictWriter().write(tensors, to: url)
        let heads = TowerOverrides(visionHeads: 2, textHeads: 2)
        let plain = try ScenarioModelLoader.open(url: url, overrides: heads)
        #expect(plain.ignoredKeys.count == student.modelTensorNames.count)  // the teacher copy is not the model
        try ScenarioFixtures.expectMatches(try plain.makeEmbedder(), prefix: "three")
        let ema = try ScenarioModelLoader.open(url: url, preferEMA: true, overrides: heads)
        #expect(ema.variant.contains("ema.teacher."))
        try ScenarioFixtures.expectMatches(try ema.makeEmbedder(), prefix: "ema")
    }

    @Test func oneLevelBaselineServesAllLevelsWithDefaultHeads() throws {
        let checkpoint = try ScenarioModelLoader.open(url: ScenarioFixtures.url("one_level.ckpt"))
        #expect(checkpoint.architecture == .oneLevel)
        #expect(checkpoint.visionConfig.numAttentionHeads == 1)  // width 64 / 64
        #expect(checkpoint.notes.contains { $0.contains("width / 64") })
        let model = try checkpoint.makeEmbedder()
        #expect(model is OneLevelCLIP)
        try ScenarioFixtures.expectMatches(model, prefix: "one")
    }

    @Test func huggingFaceCLIPFolderServesAllLevels() throws {
        let checkpoint = try ScenarioModelLoader.open(url: ScenarioFixtures.url("hf_clip"))
        #expect(checkpoint.architecture == .huggingFaceCLIP)
        let model = try checkpoint.makeEmbedder()
        #expect(model.embeddingWidth == 16)
        try ScenarioFixtures.expectMatches(model, prefix: "hf")
    }

    /// A folder's `preprocessor_config.json` sets the transform (here the stretch fit, as `do_center_crop: false`);
    /// one whose size is not the tower's is refused, naming the file.
    @Test func huggingFaceFolderReadsItsPreprocessorConfig() throws {
        let folder = ScenarioFixtures.temporaryURL("hf-pp")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: ScenarioFixtures.url("hf_clip"), to: folder)
        let size = try ScenarioModelLoader.open(url: folder).visionConfig.imageSize
        #expect(try ScenarioModelLoader.open(url: folder).preprocess == .clip(imageSize: size))
        let file = folder.appendingPathComponent("preprocessor_config.json")
        func write(_ side: Int) throws {
            try Data(#"{"do_center_crop": false, "size": {"height": \#(side), "width": \#(side)}, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}"#.utf8).write(to: file)
        }
        try write(size)
        let stretched = try ScenarioModelLoader.open(url: folder)
        #expect(stretched.preprocess == PreprocessConfig(imageSize: size, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], fit: .stretch))
        #expect(try stretched.fingerprint() != ScenarioModelLoader.open(url: ScenarioFixtures.url("hf_clip")).fingerprint())
        try write(size + 1)
        do {
            _ = try ScenarioModelLoader.open(url: folder)
            Issue.record("accepted a preprocessor size that is not the tower's")
        } catch {
            #expect("\(error)".contains("preprocessor_config.json"), "\(error)")
        }
    }

    @Test func textsAreTokenizedToTheTowersContext() throws {
        // The fixture's vocabulary is tiny, so real CLIP ids fall outside it: a clear error, not a crash.
        let model = try ScenarioModelLoader.load(url: ScenarioFixtures.url("one_level.ckpt"))
        #expect(throws: (any Error).self) { try model.embedTexts(["a person holding a cup"], level: .global) }
    }
}
