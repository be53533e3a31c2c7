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

    /// The one-level fixture in our safetensors format, with `edit` applied to its metadata.
    private func modelFile(editing edit: (inout [String: String]) -> Void) throws -> URL {
        let source = try ScenarioModelLoader.open(url: ScenarioFixtures.url("one_level.ckpt"))
        let plain = ScenarioFixtures.temporaryURL("plain.safetensors")
        defer { try? FileManager.default.removeItem(at: plain) }
        try ScenarioModelFile.write(source, to: plain)
        let file = try SafeTensorsFile(url: plain)
        var metadata = file.metadata
        edit(&metadata)
        var writer = SafeTensorsWriter(metadata: metadata)
        for name in file.tensorNames { try writer.add(name, try file.tensor(name)) }
        let url = ScenarioFixtures.temporaryURL("edited.safetensors")
        try writer.write(to: url)
        return url
    }

    /// Replaces `field`'s value in the JSON object stored under metadata `key`.
    private func setting(_ key: String, _ field: String, to value: Any) throws -> URL {
        try modelFile { metadata in
            var object = (try? JSONSerialization.jsonObject(with: Data(metadata[key]!.utf8))) as! [String: Any]
            object[field] = value
            metadata[key] = String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
    }

    /// Config fields a hostile file sets out of bounds are refused on load, naming the file and the field,
    /// before anything is sized by them (no trap on -1, no gigabytes of key lists or pixels).
    @Test(arguments: [
        ("vision_config", "num_hidden_layers", -1), ("vision_config", "num_hidden_layers", 1_000_000_000),
        ("text_config", "num_hidden_layers", 1_000_000_000), ("vision_config", "num_attention_heads", 0),
        ("vision_config", "num_attention_heads", 7), ("vision_config", "hidden_size", 1 << 40),
        ("vision_config", "image_size", 100_000), ("vision_config", "patch_size", -3),
        ("text_config", "max_position_embeddings", 1 << 30), ("text_config", "vocab_size", -1),
        ("text_config", "num_attention_heads", 1_000_000), ("preprocess", "image_size", 100_000),
        ("preprocess", "image_size", 0),
    ])
    func configFieldsOutOfBoundsAreRefused(key: String, field: String, value: Int) throws {
        let url = try setting(key, field, to: value)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try ScenarioModelLoader.open(url: url)
            Issue.record("\(key).\(field) = \(value) was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains(url.path), "\(text)")
            #expect(text.contains(field) || text.contains("heads"), "\(text)")
        }
    }

    @Test func projectionWidthOutOfBoundsIsRefused() throws {
        let hf = try ScenarioModelLoader.open(url: ScenarioFixtures.url("hf_clip"))
        let plain = ScenarioFixtures.temporaryURL("hf.safetensors")
        defer { try? FileManager.default.removeItem(at: plain) }
        try ScenarioModelFile.write(hf, to: plain)
        let file = try SafeTensorsFile(url: plain)
        var metadata = file.metadata
        metadata["projection_dim"] = "100000000"
        var writer = SafeTensorsWriter(metadata: metadata)
        for name in file.tensorNames { try writer.add(name, try file.tensor(name)) }
        let url = ScenarioFixtures.temporaryURL("hf-edited.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try writer.write(to: url)
        #expect { try ScenarioModelLoader.open(url: url) } throws: { "\($0)".contains("projection_dim") && "\($0)".contains(url.path) }
    }
}
