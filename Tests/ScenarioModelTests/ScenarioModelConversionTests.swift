import Foundation
import Numerics
import Imaging
import Testing
import Weights

@testable import ScenarioModel

/// Conversion to our safetensors format and back to a reference state dict keeps every value and the fingerprint.
@Suite struct ScenarioModelConversionTests {
    @Test func safetensorsExportLoadsAloneWithTheSameOutputsAndFingerprint() throws {
        let source = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"))
        let url = ScenarioFixtures.temporaryURL("three.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ScenarioModelFile.write(source, to: url)
        let converted = try ScenarioModelLoader.open(url: url)
        #expect(converted.architecture == .threeLevel)
        #expect(converted.visionConfig == source.visionConfig)
        #expect(converted.textConfig == source.textConfig)
        #expect(converted.preprocess == source.preprocess)
        #expect(try converted.fingerprint() == source.fingerprint())
        try ScenarioFixtures.expectMatches(try converted.makeEmbedder(), prefix: "three")
    }

    @Test func emaExportViaSafetensorsMatchesTheTeacher() throws {
        let teacher = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"), preferEMA: true)
        let url = ScenarioFixtures.temporaryURL("ema.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ScenarioModelFile.write(teacher, to: url)
        try ScenarioFixtures.expectMatches(try ScenarioModelLoader.load(url: url), prefix: "ema")
    }

    @Test func float16ExportChangesTheFingerprintButLittleElse() throws {
        let source = try ScenarioModelLoader.open(url: ScenarioFixtures.url("one_level.ckpt"))
        let url = ScenarioFixtures.temporaryURL("one-f16.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try ScenarioModelFile.write(source, to: url, dtype: .float16)
        let half = try ScenarioModelLoader.open(url: url)
        #expect(half.dtypeCounts() == ["F16": half.modelTensorNames.count])
        #expect(try half.fingerprint() != source.fingerprint())
        let model = try half.makeEmbedder()
        let image = try model.embedImages(ScenarioFixtures.pixels, level: .object)
        ScenarioFixtures.expectClose(image, ScenarioFixtures.reference("one.object.image"), "f16", tolerance: 5e-2, cosine: 0.999)
    }

    @Test func stateDictExportReloadsToIdenticalBytes() throws {
        let source = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"))
        let first = ScenarioFixtures.temporaryURL("first.pt")
        let second = ScenarioFixtures.temporaryURL("second.pt")
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        try ScenarioModelFile.writeStateDict(source, to: first)
        // A bare state dict stores no tower settings (as the reference's own files): give the heads.
        let reloaded = try ScenarioModelLoader.open(url: first, overrides: TowerOverrides(visionHeads: 2, textHeads: 2))
        #expect(reloaded.variant == "state dict")
        #expect(reloaded.modelTensorNames == source.modelTensorNames)
        #expect(try reloaded.fingerprint() == source.fingerprint())
        try ScenarioModelFile.writeStateDict(reloaded, to: second)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
        try ScenarioFixtures.expectMatches(try reloaded.makeEmbedder(), prefix: "three")
    }

    @Test func pytorchLoadedTheSwiftExportStrictly() throws {
        // tools/make_scenario_fixtures.py verify ran torch.load(weights_only=True) + load_state_dict(strict=True)
        // on swift_export.pt (written by ScenarioModelFile.writeStateDict) and compared the embeddings.
        struct Verification: Decodable {
            var file: String
            var load_state_dict_strict: String
            var max_abs_diff: Double
            var min_cosine: Double
            var ok: Bool
        }
        let report = try JSONDecoder().decode(
            Verification.self, from: Data(contentsOf: ScenarioFixtures.url("pytorch_verification.json")))
        #expect(report.ok)
        #expect(report.file == "swift_export.pt")
        #expect(report.load_state_dict_strict == "ok")
        #expect(report.max_abs_diff <= 1e-4 && report.min_cosine >= 0.99999)
        // The committed export is what the Swift writer produces today.
        let source = try ScenarioModelLoader.open(url: ScenarioFixtures.url("three_level.ckpt"))
        let fresh = ScenarioFixtures.temporaryURL("fresh.pt")
        defer { try? FileManager.default.removeItem(at: fresh) }
        try ScenarioModelFile.writeStateDict(source, to: fresh)
        #expect(try Data(contentsOf: fresh) == Data(contentsOf: ScenarioFixtures.url("swift_export.pt")))
    }
}

/// The model file's `preprocess` metadata carries the stretch fit, leaves centre-crop models as they were,
/// and the fit is part of the fingerprint (cached vectors of one fit are never served for the other).
@Suite struct PreprocessMetadataTests {
    @Test func stretchFitRoundTripsAndCentreCropIsUnchanged() throws {
        var p = PreprocessConfig.clip(imageSize: 64)
        let cropJSON = ScenarioModelFile.preprocessJSON(p)
        #expect(!cropJSON.contains("fit"))
        #expect(try ScenarioModelFile.preprocess(cropJSON, source: "m.safetensors") == p)
        #expect(ModelFingerprint.describe(p).split(separator: ";").count == 3)  // size; mean; std — as before the fit
        p.fit = .stretch
        let stretchJSON = ScenarioModelFile.preprocessJSON(p)
        #expect(stretchJSON.contains(#""fit":"stretch""#))
        #expect(try ScenarioModelFile.preprocess(stretchJSON, source: "m.safetensors") == p)
        #expect(ModelFingerprint.describe(p).hasSuffix(";stretch"))
    }

    @Test func unknownFitIsRejectedByName() {
        let json = #"{"image_size": 64, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "fit": "letterbox"}"#
        do {
            _ = try ScenarioModelFile.preprocess(json, source: "m.safetensors")
            Issue.record("accepted fit 'letterbox'")
        } catch {
            let text = "\(error)"
            #expect(text.contains("m.safetensors") && text.contains("'fit'") && text.contains("letterbox"))
        }
    }
}
