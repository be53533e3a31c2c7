import Foundation
import Testing
import Weights

/// `scenarioclip train` on the real binary: a dataset folder is prepared in Swift, trained on, exported, and the
/// exported model is usable by `eval`; the saved prepared file trains the same way.
@Suite(.serialized) struct TrainCommandTests {
    /// A small generated dataset (96×72 scenes) in `root/scenes`.
    static func generate(in root: URL, scenes: Int, seed: Int) throws -> URL {
        let dataset = root.appendingPathComponent("scenes")
        let generated = try CLIHarness.run(["generate", dataset.path, "--scenes", "\(scenes)", "--seed", "\(seed)", "--size", "96x72"])
        #expect(generated.status == 0, "\(generated.stderr)")
        return dataset
    }

    @Test func trainsFromADatasetFolderAndTheModelEvaluates() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = try Self.generate(in: root, scenes: 12, seed: 3)

        let prepared = root.appendingPathComponent("prepared.safetensors")
        let out = root.appendingPathComponent("run")
        let trained = try CLIHarness.run([
            "train", dataset.path, "--config", "tiny", "--arch", "scenarioclip1", "--epochs", "1", "--batch-size", "4",
            "--seed", "1", "--out", out.path, "--save-prepared", prepared.path,
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stdout.contains("prepared 12 scenes"), "\(trained.stdout)")
        #expect(trained.stdout.contains("at 16 px"))
        #expect(trained.stdout.contains("zero-shot on the test split"))
        let model = out.appendingPathComponent("model.safetensors")
        #expect(FileManager.default.fileExists(atPath: model.path))
        #expect(FileManager.default.fileExists(atPath: prepared.path))

        let indexed = try CLIHarness.run(["index", dataset.path, "--model", model.path])
        #expect(indexed.status == 0, "\(indexed.stderr)")
        let evaluated = try CLIHarness.run(["eval", dataset.path, "--model", model.path, "--split", "all", "--json"])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let report = try CLIHarness.json(evaluated.stdout) as? [String: Any]
        #expect(report != nil, "\(evaluated.stdout)")

        let again = try CLIHarness.run([
            "train", prepared.path, "--config", "tiny", "--epochs", "1", "--batch-size", "4", "--seed", "1",
            "--out", root.appendingPathComponent("again").path,
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stdout.contains("prepared 12 scenes"))
        let trainingScenes = { (text: String) in text.split(separator: "\n").first { $0.contains("training scenes") } }
        #expect(trainingScenes(again.stdout) != nil && trainingScenes(again.stdout) == trainingScenes(trained.stdout))
    }

    /// `--fit stretch` prepares whole pictures squeezed to a square; the exported model records it (`inspect`),
    /// a fine-tune from that model keeps it without being told (here also growing the vision towers by a layer),
    /// and a prepared file of the other fit is refused.
    @Test func stretchFitIsRecordedInTheModelAndKeptByFineTuning() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = try Self.generate(in: root, scenes: 8, seed: 4)
        let prepared = root.appendingPathComponent("stretch.safetensors")
        let first = root.appendingPathComponent("first")
        let trained = try CLIHarness.run([
            "train", dataset.path, "--config", "tiny", "--epochs", "1", "--batch-size", "4", "--seed", "1",
            "--fit", "stretch", "--out", first.path, "--save-prepared", prepared.path,
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stdout.contains("at 16 px (stretch)"), "\(trained.stdout)")
        let model = first.appendingPathComponent("model.safetensors")
        let inspected = try CLIHarness.run(["inspect", model.path, "--json"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        #expect((try CLIHarness.json(inspected.stdout) as? [String: Any])?["image_fit"] as? String == "stretch")

        let second = root.appendingPathComponent("second")
        let tuned = try CLIHarness.run([
            "train", dataset.path, "--init", model.path, "--epochs", "1", "--batch-size", "4", "--seed", "2",
            "--add-vision-layers", "1", "--out", second.path,
        ])
        #expect(tuned.status == 0, "\(tuned.stderr)")
        #expect(tuned.stdout.contains("(stretch)") && !tuned.stdout.contains("note:"), "\(tuned.stdout)")
        #expect(tuned.stdout.contains("vision towers grown from 2 to 3 layers"), "\(tuned.stdout)")
        let again = try CLIHarness.run(["inspect", second.appendingPathComponent("model.safetensors").path])
        #expect(again.stdout.contains("whole picture stretched to a square"), "\(again.stdout)")
        #expect(again.stdout.contains("width 16, 3 layers"), "\(again.stdout)")

        let refused = try CLIHarness.run([
            "train", prepared.path, "--config", "tiny", "--fit", "center_crop", "--epochs", "1", "--batch-size", "4",
            "--out", root.appendingPathComponent("third").path,
        ])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--fit center_crop") && refused.stderr.contains("prepared with stretch"), "\(refused.stderr)")
        let bad = try CLIHarness.run(["train", dataset.path, "--config", "tiny", "--fit", "letterbox", "--out", second.path])
        #expect(bad.status != 0 && bad.stderr.contains("The value 'letterbox' is invalid for '--fit") && bad.stderr.contains("'center_crop' and 'stretch'"), "\(bad.stderr)")
    }

    /// `--levels action` fine-tunes the global level only: the exported model's object and relation tensors are
    /// the `--init` model's, value for value, while global ones change; an unknown level name is refused.
    @Test func trainingOnlyTheActionLevelKeepsTheOtherLevelsTensors() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = try Self.generate(in: root, scenes: 8, seed: 5)
        let first = root.appendingPathComponent("first")
        let trained = try CLIHarness.run([
            "train", dataset.path, "--config", "tiny", "--epochs", "1", "--batch-size", "4", "--seed", "1",
            "--out", first.path,
        ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let start = first.appendingPathComponent("model.safetensors")
        let second = root.appendingPathComponent("second")
        let tuned = try CLIHarness.run([
            "train", dataset.path, "--init", start.path, "--levels", "action", "--epochs", "2", "--batch-size", "4",
            "--lr", "1e-2", "--seed", "2", "--out", second.path,
        ])
        #expect(tuned.status == 0, "\(tuned.stderr)")
        #expect(tuned.stdout.contains("trainable (levels trained: global)"), "\(tuned.stdout)")
        let before = try SafeTensorsFile(url: start)
        let after = try SafeTensorsFile(url: second.appendingPathComponent("model.safetensors"))
        #expect(before.tensorNames == after.tensorNames)
        var changedGlobal = 0, checked = 0
        for name in before.tensorNames {
            let a = try before.tensor(name).scalars, b = try after.tensor(name).scalars
            if name.hasPrefix("global_") {
                if a != b { changedGlobal += 1 }
            } else {
                #expect(a == b, "\(name) changed")
                checked += 1
            }
        }
        #expect(changedGlobal > 10 && checked > 10, "\(changedGlobal) global tensors changed, \(checked) others checked")

        let bad = try CLIHarness.run([
            "train", dataset.path, "--config", "tiny", "--levels", "global,scene", "--out", root.appendingPathComponent("x").path,
        ])
        #expect(bad.status != 0 && bad.stderr.contains("--levels: 'scene' is not a level"), "\(bad.stderr)")
    }

    @Test func missingDatasetIsAClearError() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let missing = root.appendingPathComponent("nowhere").path
        let result = try CLIHarness.run(["train", missing, "--config", "tiny", "--out", root.appendingPathComponent("o").path])
        #expect(result.status != 0)
        #expect(result.stderr.contains(missing) && result.stderr.contains("no such dataset folder or prepared file"), "\(result.stderr)")
    }
}
