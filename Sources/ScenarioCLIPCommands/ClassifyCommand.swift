import ArgumentParser
import Evaluation
import Foundation
import Imaging
import Numerics
import ScenarioModel
import SceneWorkspace

/// `scenarioclip classify`: zero-shot (or linear-probe) ranking of the dataset's classes for scenes or an image,
/// flagging annotations outside the model's top-k — the basis of annotation spot-checks.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Rank action, object and relation classes for scenes or an image; flag disagreements.",
        discussion: """
            With a dataset: every indexed scene (or --scene ID) at all three levels, each annotation marked `✗` when
            it is outside the model's top-k; annotations are read with the dataset's corrections applied             (`scenarioclip corrections`). With an image file: the whole picture ranked at each level against the
            classes of --dataset (the bundled demo's by default). --probe uses a head trained by `scenarioclip probe`.
            """)

    @Argument(help: ArgumentHelp("A dataset folder, or a JPEG image.", valueName: "dataset-or-image"))
    var target: String?
    @Option(name: .long, help: "Only this scene (dataset mode).")
    var scene: String?
    @Option(name: .long, help: ArgumentHelp("Class lists for an image (dataset folder).", valueName: "dataset"))
    var dataset: String?
    @Option(name: .long, help: "Classes shown per item.")
    var top = 5
    @Flag(name: .long, help: "Show only scenes where the model disagrees with the annotation.")
    var disagreementsOnly = false
    @Option(name: .long, help: ArgumentHelp("A probe head (JSON from `scenarioclip probe --out`).", valueName: "file"))
    var probe: String?
    @Option(name: .long, help: ArgumentHelp("Embedding cache database.", valueName: "path"))
    var cache: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be positive") }
    }

    func run() throws {
        if let target, Self.isImageFile(target) {
            try classifyImage(URL(fileURLWithPath: target))
            return
        }
        let workspace = try DatasetOptions(dataset: target, cache: cache).openWorkspace(model: modelOptions)
        try autoIndex.indexMissing(in: workspace)
        let ids = try scene.map { id in
            guard workspace.dataset.record(id: id) != nil else { throw SceneWorkspaceError.unknownScene(id) }
            return [id]
        } ?? workspace.dataset.records.map(\.id)
        var results: [SceneZeroShot] = []
        for id in ids {
            let result = try workspace.zeroShot(sceneID: id, k: top)
            if result.items.isEmpty && scene != nil {
                throw SceneWorkspaceError.notIndexed(level: "any", hint: "scene \(id) is not indexed; run `scenarioclip index`")
            }
            if !disagreementsOnly || result.disagreements > 0 { results.append(result) }
        }
        if output.json {
            try printJSON(results)
            return
        }
        for result in results {
            let record = workspace.dataset.record(id: result.sceneID)!
            print("scene \(result.sceneID)  (\(record.imagePath.lastPathComponent))  "
                + "\(result.disagreements) disagreement(s)")
            for item in result.items {
                let mark = item.agrees ? "✓" : "✗"
                let name = item.level == .global ? "action" : "\(item.level.rawValue) \(item.index)"
                let ranking = item.ranking.map { String(format: "%@ %.3f", $0.label, $0.score) }.joined(separator: " | ")
                print("  \(mark) \(name): \"\(item.annotated)\"  →  \(ranking)")
            }
        }
        if results.isEmpty { print(disagreementsOnly ? "no disagreements" : "no indexed scenes; run `scenarioclip index`") }
    }

    /// Ranks the classes for a whole image at every level.
    private func classifyImage(_ url: URL) throws {
        let workspace = try DatasetOptions(dataset: dataset, cache: cache).openWorkspace(model: modelOptions)
        let model = workspace.model
        let preprocessor = try CLIPPreprocessor(config: model.preprocess)
        let pixels = try preprocessor.tensor(contentsOf: url)
        let batch = pixels.reshaped([1] + pixels.shape)
        let head = try probe.map { try ProbeFile.load(URL(fileURLWithPath: $0), fingerprint: model.fingerprint) }
        var rankings: [ImageRanking] = []
        for level in Level.allCases {
            let embedding = try model.embedImages(batch, level: level)
            if let head, Workspace.level(ofTask: head.task) == level {
                rankings.append(ImageRanking(level: level.rawValue, method: "linear probe",
                                             ranking: head.ranking(embedding, k: top)))
            } else {
                rankings.append(ImageRanking(level: level.rawValue, method: "zero-shot",
                                             ranking: try workspace.rank(embedding, level: level, k: top)[0].top))
            }
        }
        if output.json {
            try printJSON(rankings)
            return
        }
        print(url.path)
        for ranking in rankings {
            print("  \(ranking.level) (\(ranking.method)): "
                + ranking.ranking.map { String(format: "%@ %.3f", $0.label, $0.score) }.joined(separator: " | "))
        }
    }

    static func isImageFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

/// One level's ranking for an image.
struct ImageRanking: Encodable {
    var level: String
    var method: String
    var ranking: [ClassScore]
}

/// Reading probe heads saved by `scenarioclip probe --out`.
enum ProbeFile {
    static func load(_ url: URL, fingerprint: String) throws -> ProbeResult {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw ValidationError("\(url.path): cannot read the probe head") }
        let result: ProbeResult
        do { result = try JSONDecoder().decode(ProbeResult.self, from: data) } catch {
            throw ValidationError("\(url.path): not a probe head saved by `scenarioclip probe` (\(error))")
        }
        if result.modelFingerprint != fingerprint {
            printError("warning: \(url.path) was trained on embeddings of model \(result.modelFingerprint.prefix(12)), "
                + "not \(fingerprint.prefix(12))")
        }
        return result
    }
}

extension ProbeResult {
    /// Softmax probabilities of the head's best `k` classes for one raw embedding `[1, width]`.
    func ranking(_ embedding: Tensor, k: Int) -> [ClassScore] {
        let logits = head.logits(embedding).scalars
        let peak = logits.max() ?? 0
        let exps = logits.map { expf($0 - peak) }
        let sum = exps.reduce(0, +)
        return exps.withUnsafeBufferPointer { Similarity.topIndices($0, k: k) }
            .map { ClassScore(label: head.classes[$0], score: exps[$0] / sum) }
    }
}
