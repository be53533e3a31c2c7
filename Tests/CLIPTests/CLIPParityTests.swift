import Foundation
import Numerics
import Testing
import Weights

@testable import CLIP

/// The Swift towers against Hugging Face transformers 4.44.2 on the fixtures of `tools/make_clip_fixtures.py`.
@Suite struct CLIPParityTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let fixtureNames = ["quick_legacy", "gelu_eos"]

    struct Fixture {
        let folder: URL
        let expected: SafeTensorsFile
        let tokenIDs: [[Int32]]

        init(_ name: String) throws {
            folder = CLIPParityTests.fixtures.appendingPathComponent(name)
            expected = try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
            struct Inputs: Decodable {
                let token_ids: [[Int32]]
            }
            tokenIDs = try JSONDecoder().decode(
                Inputs.self, from: Data(contentsOf: folder.appendingPathComponent("inputs.json"))
            ).token_ids
        }
    }

    /// max |a - b| ≤ 1e-4 and cosine ≥ 0.99999 for every row.
    static func expectMatch(_ actual: Tensor, _ expected: Tensor, _ what: String) {
        #expect(actual.shape == expected.shape, "\(what) shape")
        guard actual.shape == expected.shape else { return }
        let diff = actual.maxAbsDifference(expected)
        #expect(diff <= 1e-4, "\(what): max abs diff \(diff)")
        let rows = expected.rowCount
        for r in 0..<rows {
            let cosine = actual.gatherRows([r]).cosineSimilarity(expected.gatherRows([r]))
            #expect(cosine >= 0.99999, "\(what) row \(r): cosine \(cosine)")
        }
    }

    /// Every kernel level this CPU runs (``KernelLevel/supported``) meets the same tolerance.
    @Test(arguments: fixtureNames, KernelLevel.supported)
    func fullModelMatchesHuggingFace(name: String, kernels: KernelLevel) throws {
        try KernelLevel.withCeiling(kernels) { try fullModelMatchesHuggingFace(name: name) }
    }

    func fullModelMatchesHuggingFace(name: String) throws {
        let fixture = try Fixture(name)
        let model = try CLIPModel(folder: fixture.folder)
        #expect(model.config.kind == .model)
        let pixels = try fixture.expected.tensor("pixels")
        let vision = try #require(model.vision), text = try #require(model.text)
        Self.expectMatch(vision.pooled(pixels), try fixture.expected.tensor("vision_pooled"), "\(name) vision pooler_output")
        Self.expectMatch(text.pooled(fixture.tokenIDs), try fixture.expected.tensor("text_pooled"), "\(name) text pooler_output")
        Self.expectMatch(try model.imageFeatures(pixels), try fixture.expected.tensor("image_embeds"), "\(name) image features")
        Self.expectMatch(try model.textFeatures(fixture.tokenIDs), try fixture.expected.tensor("text_embeds"), "\(name) text features")
    }

    @Test func batchItemsAreIndependent() throws {
        let fixture = try Fixture("gelu_eos")
        let model = try CLIPModel(folder: fixture.folder)
        let text = try #require(model.text), vision = try #require(model.vision)
        let expectedText = try fixture.expected.tensor("text_pooled")
        for (r, row) in fixture.tokenIDs.enumerated() {
            // Alone, and trimmed to just past its end token: the causal shortcut must not change anything.
            Self.expectMatch(text.pooled([row]), expectedText.gatherRows([r]), "text row \(r) alone")
            let end = text.poolingPosition(row) + 1
            Self.expectMatch(text.pooled([Array(row.prefix(end))]), expectedText.gatherRows([r]), "text row \(r) trimmed")
        }
        let pixels = try fixture.expected.tensor("pixels")
        Self.expectMatch(vision.pooled(pixels.slice(1..<2)), try fixture.expected.tensor("vision_pooled").slice(1..<2), "image 1 alone")
    }

    /// The model's weights are packed for the product kernel at load, and the results do not depend on how many
    /// threads share the products, attention heads and element-wise work: 1 and 3 threads agree bit for bit.
    @Test func resultsDoNotDependOnTheThreadCount() throws {
        let fixture = try Fixture("gelu_eos")
        let model = try CLIPModel(folder: fixture.folder)
        let vision = try #require(model.vision), text = try #require(model.text)
        #expect(try #require(model.visualProjection).isPacked)
        let pixels = try fixture.expected.tensor("pixels")
        var results: [[Float]] = []
        for threads in [1, 3] {
            Parallel.withThreads(threads) {
                results.append(vision.pooled(pixels).scalars + text.pooled(fixture.tokenIDs).scalars)
            }
        }
        #expect(results[0] == results[1])
    }

    /// A batch large enough (≥ 192 rows of tokens) for the many-rows product kernel still matches, image by image,
    /// at every kernel level this CPU runs.
    @Test(arguments: KernelLevel.supported)
    func largeBatchesMatchHuggingFace(kernels: KernelLevel) throws {
        try KernelLevel.withCeiling(kernels) { try largeBatchesMatchHuggingFace() }
    }

    func largeBatchesMatchHuggingFace() throws {
        let fixture = try Fixture("gelu_eos")
        let vision = try #require(try CLIPModel(folder: fixture.folder).vision)
        let pixels = try fixture.expected.tensor("pixels"), expected = try fixture.expected.tensor("vision_pooled")
        let copies = 192 / (pixels.shape[0] * vision.config.tokenCount) + 1
        let batch = Tensor.concatenate([Tensor](repeating: pixels, count: copies))
        #expect(batch.shape[0] * vision.config.tokenCount >= 192)
        Self.expectMatch(vision.pooled(batch), Tensor.concatenate([Tensor](repeating: expected, count: copies)), "large batch")
    }

    @Test func singleTowerFoldersLoad() throws {
        let fixture = try Fixture("quick_legacy")
        let visionOnly = try CLIPModel(folder: Self.fixtures.appendingPathComponent("quick_legacy_vision"))
        #expect(visionOnly.config.kind == .visionTower && visionOnly.text == nil && visionOnly.visualProjection == nil)
        let pixels = try fixture.expected.tensor("pixels")
        Self.expectMatch(try visionOnly.imageFeatures(pixels), try fixture.expected.tensor("vision_pooled"), "vision tower folder")
        #expect(throws: CLIPError.missingTower("text")) { try visionOnly.textFeatures(fixture.tokenIDs) }

        let textOnly = try CLIPModel(folder: Self.fixtures.appendingPathComponent("quick_legacy_text"))
        #expect(textOnly.config.kind == .textTower && textOnly.vision == nil)
        Self.expectMatch(try textOnly.textFeatures(fixture.tokenIDs), try fixture.expected.tensor("text_pooled"), "text tower folder")

        let geluVision = try CLIPModel(folder: Self.fixtures.appendingPathComponent("gelu_eos_vision"))
        let geluFixture = try Fixture("gelu_eos")
        Self.expectMatch(
            try geluVision.imageFeatures(try geluFixture.expected.tensor("pixels")),
            try geluFixture.expected.tensor("vision_pooled"), "gelu vision tower folder")
    }

    @Test func configsDecodeWithHuggingFaceDefaults() throws {
        let folder = Self.fixtures.appendingPathComponent("gelu_eos")
        let config = try CLIPConfig.decode(Data(contentsOf: folder.appendingPathComponent("config.json")), source: "c")
        #expect(config.projectionDim == 8)
        #expect(config.visionConfig.hiddenAct == "gelu" && config.visionConfig.layerNormEps == 1e-6)
        #expect(config.visionConfig.imageSize == 30 && config.visionConfig.patchSize == 10 && config.visionConfig.tokenCount == 10)
        #expect(config.visionConfig.numChannels == 3)  // absent → default
        #expect(config.textConfig.pooling == .firstOccurrence(49407))  // absent → HF default 49407
        let legacy = try CLIPConfig.decode(
            Data(contentsOf: Self.fixtures.appendingPathComponent("quick_legacy/config.json")), source: "c")
        #expect(legacy.textConfig.pooling == .argmaxTokenID)
        #expect(legacy.textConfig.hiddenAct == "quick_gelu" && legacy.textConfig.layerNormEps == 1e-5)
        let empty = try CLIPConfig.decode(Data("{}".utf8), source: "c")
        #expect(empty == CLIPConfig())
        #expect(empty.visionConfig.tokenCount == 50)
        #expect(throws: CLIPError.invalidConfig(source: "c", reason: "field 'vision_config.hidden_size': Expected to decode Int but found a string instead.")) {
            try CLIPConfig.decode(Data(#"{"vision_config": {"hidden_size": "wide"}}"#.utf8), source: "c")
        }
        #expect(throws: CLIPError.self) { try CLIPConfig.decode(Data(#"{"model_type": "bert"}"#.utf8), source: "c") }
        #expect(throws: CLIPError.self) { try CLIPConfig.decode(Data("nope".utf8), source: "c") }
    }
}
