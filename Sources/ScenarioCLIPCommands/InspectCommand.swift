import ArgumentParser
import Foundation
import Imaging
import ScenarioModel

/// `scenarioclip inspect`: Describe a model file: architecture, levels, parameters, fingerprint.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a model file: architecture, levels, parameters, fingerprint."
    )

    @Argument(help: "A .ckpt, .pt, .safetensors file or a Hugging Face CLIP folder.")
    var path: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var model: ModelFileOptions

    /// What `inspect --json` prints.
    struct Report: Encodable {
        struct Tower: Encodable {
            var hidden_size: Int
            var num_hidden_layers: Int
            var num_attention_heads: Int
            var intermediate_size: Int
            var image_size: Int?
            var patch_size: Int?
            var vocab_size: Int?
            var context_length: Int?
            var hidden_act: String
        }
        var path: String
        var architecture: String
        var variant: String
        var levels: [String]
        var vision: Tower
        var text: Tower
        var parameters: [String: Int]
        var total_parameters: Int
        var dtypes: [String: Int]
        var image_size: Int
        /// `center_crop` (CLIP's) or `stretch` (the whole picture squeezed to a square).
        var image_fit: String
        var fingerprint: String
        var ignored_keys: [String]
        var notes: [String]
    }

    func run() throws {
        let checkpoint = try model.open(path)
        let v = checkpoint.visionConfig, t = checkpoint.textConfig
        let counts = checkpoint.parameterCounts()
        let report = Report(
            path: path, architecture: checkpoint.architecture.rawValue, variant: checkpoint.variant,
            levels: Level.allCases.map(\.rawValue),
            vision: .init(hidden_size: v.hiddenSize, num_hidden_layers: v.numHiddenLayers,
                          num_attention_heads: v.numAttentionHeads, intermediate_size: v.intermediateSize,
                          image_size: v.imageSize, patch_size: v.patchSize, hidden_act: v.hiddenAct),
            text: .init(hidden_size: t.hiddenSize, num_hidden_layers: t.numHiddenLayers,
                        num_attention_heads: t.numAttentionHeads, intermediate_size: t.intermediateSize,
                        vocab_size: t.vocabSize, context_length: t.maxPositionEmbeddings, hidden_act: t.hiddenAct),
            parameters: Dictionary(uniqueKeysWithValues: counts.map { ($0.part, $0.count) }),
            total_parameters: counts.reduce(0) { $0 + $1.count }, dtypes: checkpoint.dtypeCounts(),
            image_size: checkpoint.preprocess.imageSize, image_fit: checkpoint.preprocess.fit.rawValue, fingerprint: try checkpoint.fingerprint(),
            ignored_keys: checkpoint.ignoredKeys, notes: checkpoint.notes)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let towers = checkpoint.architecture == .threeLevel ? "per level (3 × each)" : "shared by all levels"
        print("\(path)")
        print("  architecture  \(checkpoint.architecture.displayName)")
        print("  read as       \(checkpoint.variant)")
        print("  levels        global, object, relation — towers \(towers)")
        print("  vision tower  width \(v.hiddenSize), \(v.numHiddenLayers) layers, \(v.numAttentionHeads) heads, MLP \(v.intermediateSize), \(v.imageSize) px / patch \(v.patchSize), \(v.hiddenAct)")
        print("  text tower    width \(t.hiddenSize), \(t.numHiddenLayers) layers, \(t.numAttentionHeads) heads, MLP \(t.intermediateSize), context \(t.maxPositionEmbeddings), vocab \(t.vocabSize), \(t.hiddenAct)")
        for (part, count) in counts { print("  parameters    \(part): \(Self.grouped(count))") }
        print("  parameters    total: \(Self.grouped(report.total_parameters)) (\(String(format: "%.1f", Double(checkpoint.float32ByteCount) / 1_048_576)) MB as f32)")
        print("  dtypes        " + report.dtypes.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }.joined(separator: ", "))
        let fit = checkpoint.preprocess.fit == .stretch ? "whole picture stretched to a square" : "shorter side, centre crop"
        print("  preprocess    \(checkpoint.preprocess.imageSize) px (\(fit)), CLIP mean/std")
        print("  fingerprint   \(report.fingerprint)")
        if !checkpoint.ignoredKeys.isEmpty { print("  not weights   \(checkpoint.ignoredKeys.joined(separator: ", "))") }
        for note in checkpoint.notes { print("  note          \(note)") }
    }

    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}
