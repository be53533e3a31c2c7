import Foundation
import Numerics
import Testing
import Weights

@testable import ScenarioModel

/// Wrong or damaged models fail with errors that name what is wrong.
@Suite struct ScenarioModelLoaderErrorTests {
    /// Writes the fixture's tensors with `edit` applied to the (canonical) name list.
    private func edited(_ edit: (inout [(name: String, tensor: Tensor)]) -> Void) throws -> URL {
        let source = try ScenarioModelLoader.open(url: ScenarioFixtures.url("one_level.ckpt"))
        var tensors: [(name: String, tensor: Tensor)] = try source.modelTensorNames.map { (name: $0, tensor: try source.archive.tensor($0)) }
        edit(&tensors)
        let url = ScenarioFixtures.temporaryURL("edited.pt")
        try TorchStateDictWriter().write(tensors, to: url)
        return url
    }

    @Test func missingKeysAreListedByName() throws {
        let url = try edited { $0.removeAll { $0.name == "text_norm.bias" || $0.name.hasSuffix("layers.0.mlp.fc2.weight") } }
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try ScenarioModelLoader.open(url: url)
            Issue.record("expected missing keys")
        } catch let error as ScenarioModelError {
            guard case .missingKeys(_, let names) = error else { Issue.record("\(error)"); return }
            #expect(Set(names) == ["text_norm.bias", "visual_encoder.vision_model.encoder.layers.0.mlp.fc2.weight",
                                   "text_encoder.text_model.encoder.layers.0.mlp.fc2.weight"])
            #expect(error.description.contains("text_norm.bias"))
        }
    }

    @Test func unexpectedKeysAreListedByName() throws {
        let url = try edited { $0.append((name: "object_classifier.weight", tensor: Tensor(zeros: [3, 512]))) }
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ScenarioModelError.unexpectedKeys(source: url.path, names: ["object_classifier.weight"])) {
            try ScenarioModelLoader.open(url: url)
        }
    }

    @Test func unknownLayoutIsReported() throws {
        let url = ScenarioFixtures.temporaryURL("other.pt")
        defer { try? FileManager.default.removeItem(at: url) }
        try TorchStateDictWriter().write([("resnet.conv1.weight", Tensor(zeros: [2, 2]))], to: url)
        do {
            _ = try ScenarioModelLoader.open(url: url)
            Issue.record("expected an error")
        } catch let error as ScenarioModelError {
            #expect(error.description.contains("resnet.conv1.weight"))
            #expect(error.description.contains("not a ScenarioCLIP"))
        }
    }

    @Test func headOverridesMustDivideTheWidth() throws {
        #expect(throws: ScenarioModelError.self) {
            try ScenarioModelLoader.open(url: ScenarioFixtures.url("one_level.ckpt"), overrides: TowerOverrides(visionHeads: 5))
        }
        let explicit = try ScenarioModelLoader.open(
            url: ScenarioFixtures.url("one_level.ckpt"), overrides: TowerOverrides(visionHeads: 4, textHeads: 2))
        #expect(explicit.visionConfig.numAttentionHeads == 4 && explicit.textConfig.numAttentionHeads == 2)
        // Different heads compute something else: a different fingerprint.
        #expect(try explicit.fingerprint() != ScenarioModelLoader.open(url: ScenarioFixtures.url("one_level.ckpt")).fingerprint())
    }

    @Test func missingFileIsReported() {
        #expect(throws: ScenarioModelError.unsupportedFile(path: "/nonexistent/x.ckpt", reason: "no such file or folder")) {
            try ScenarioModelLoader.open(url: URL(fileURLWithPath: "/nonexistent/x.ckpt"))
        }
    }
}
