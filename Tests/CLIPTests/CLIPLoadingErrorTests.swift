import Foundation
import Numerics
import Testing
import Weights

@testable import CLIP

/// Broken checkpoints fail with an error that names the tensor; towers load from any key prefix.
@Suite struct CLIPLoadingErrorTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// Copies the `quick_legacy` weights into a new safetensors file after `edit` renames, drops or replaces tensors.
    static func rewritten(
        _ edit: (inout [String: Tensor]) throws -> Void
    ) throws -> (archive: SafeTensorsFile, folder: URL) {
        let source = try SafeTensorsFile(url: fixtures.appendingPathComponent("quick_legacy/model.safetensors"))
        var tensors: [String: Tensor] = [:]
        for name in source.tensorNames { tensors[name] = try source.tensor(name) }
        try edit(&tensors)
        var writer = SafeTensorsWriter()
        for (name, tensor) in tensors { try writer.add(name, tensor) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clip-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("quick_legacy/config.json"), to: folder.appendingPathComponent("config.json"))
        let url = folder.appendingPathComponent("model.safetensors")
        try writer.write(to: url)
        return (try SafeTensorsFile(url: url), folder)
    }

    static var config: CLIPConfig {
        get throws {
            try CLIPConfig.decode(
                Data(contentsOf: fixtures.appendingPathComponent("quick_legacy/config.json")), source: "config.json")
        }
    }

    @Test func missingTensorIsNamed() throws {
        let name = "vision_model.encoder.layers.1.mlp.fc1.bias"
        let (archive, folder) = try Self.rewritten { $0[name] = nil }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: WeightsError.missingTensor(name: name, source: archive.path)) {
            try CLIPModel(folder: folder)
        }
    }

    @Test func misshapenTensorIsNamed() throws {
        let name = "text_model.encoder.layers.0.self_attn.k_proj.weight"
        let (archive, folder) = try Self.rewritten { $0[name] = Tensor(zeros: [32, 31]) }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: WeightsError.shapeMismatch(name: name, expected: [32, 32], actual: [32, 31], source: archive.path)) {
            try CLIPModel(folder: folder)
        }
    }

    @Test func extraTensorsAreNamed() throws {
        let (archive, folder) = try Self.rewritten {
            $0["vision_model.encoder.layers.2.mlp.fc1.bias"] = Tensor(zeros: [80])
            $0["extra_head.weight"] = Tensor(zeros: [2])
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(
            throws: WeightsError.unexpectedTensors(names: ["vision_model.encoder.layers.2.mlp.fc1.bias"], source: archive.path)
        ) { try CLIPModel(folder: folder) }
        // Loading only the text tower under its prefix ignores the rest of the file.
        _ = try CLIPTextTransformer(config: try Self.config.textConfig, archive: archive, prefix: "text_model.")
    }

    @Test func badDTypeIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clip-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The fixture with one tensor's dtype changed to a same-size integer type in the header.
        var bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent("quick_legacy/model.safetensors"))
        let headerLength = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        let key = #""vision_model.post_layernorm.weight":{"dtype":"F32""#
        #expect(header.contains(key))
        header = header.replacingOccurrences(of: key, with: #""vision_model.post_layernorm.weight":{"dtype":"I32""#)
        bytes.replaceSubrange(8..<(8 + headerLength), with: Data(header.utf8))
        try bytes.write(to: folder.appendingPathComponent("model.safetensors"))
        try FileManager.default.copyItem(
            at: Self.fixtures.appendingPathComponent("quick_legacy/config.json"), to: folder.appendingPathComponent("config.json"))
        #expect(
            throws: WeightsError.unsupportedDType(
                name: "vision_model.post_layernorm.weight", dtype: "I32",
                source: folder.appendingPathComponent("model.safetensors").path)
        ) { try CLIPModel(folder: folder) }
    }

    @Test func truncatedWeightsAreRejected() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clip-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent("quick_legacy/model.safetensors"))
        try bytes.prefix(bytes.count / 2).write(to: folder.appendingPathComponent("model.safetensors"))
        try FileManager.default.copyItem(
            at: Self.fixtures.appendingPathComponent("quick_legacy/config.json"), to: folder.appendingPathComponent("config.json"))
        do {
            _ = try CLIPModel(folder: folder)
            Issue.record("truncated weights were accepted")
        } catch let error as WeightsError {
            #expect(error.description.contains("run past the end of the data"))
            #expect(error.description.contains("tensor '"))
        }
    }

    @Test func towersLoadFromAnyPrefix() throws {
        let (archive, folder) = try Self.rewritten { tensors in
            tensors = Dictionary(uniqueKeysWithValues: tensors.map { name, tensor in
                let renamed = name.replacingOccurrences(of: "vision_model.", with: "model.global_visual_encoder.vision_model.")
                    .replacingOccurrences(of: "text_model.", with: "model.global_text_encoder.text_model.")
                return (renamed, tensor)
            })
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try Self.config
        let expected = try SafeTensorsFile(url: Self.fixtures.appendingPathComponent("quick_legacy/expected.safetensors"))
        let vision = try CLIPVisionTransformer(
            config: config.visionConfig, archive: archive, prefix: "model.global_visual_encoder.vision_model.")
        #expect(vision.pooled(try expected.tensor("pixels")).maxAbsDifference(try expected.tensor("vision_pooled")) <= 1e-4)
        let scoped = archive.scoped("model.global_text_encoder.")
        let text = try CLIPTextTransformer(config: config.textConfig, archive: scoped)
        #expect(text.config.maxPositionEmbeddings == 16)
    }

    @Test func badInputsThrow() throws {
        let model = try CLIPModel(folder: Self.fixtures.appendingPathComponent("quick_legacy"))
        #expect(throws: CLIPError.self) { try model.imageFeatures(Tensor(zeros: [1, 3, 16, 16])) }
        #expect(throws: CLIPError.self) { try model.textFeatures([[1, 2, 1000]]) }
        #expect(throws: CLIPError.self) { try model.textFeatures([[]]) }
        #expect(throws: CLIPError.self) { try model.textFeatures([Array(repeating: Int32(3), count: 17)]) }
        #expect(throws: CLIPError.self) { try model.textFeatures([]) }
    }
}
