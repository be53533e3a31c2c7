import ArgumentParser
import Foundation
import Testing

@testable import ScenarioCLIPCommands

/// Every command that runs a model takes the one ``ModelOptions`` group (`--model`, `--ema`, `--vision-heads`,
/// `--text-heads`, `--kernels`, `--precision`), and `inspect` and `convert` the file part of it.
@Suite struct ModelOptionsTests {
    static let commandsThatRunAModel: [[String]] = [
        ["explore"], ["embed", "--level", "global", "--text", "a"], ["index"], ["query", "demo", "a dog"], ["classify"], ["eval"],
        ["report"], ["map"], ["probe"], ["import", "--shard", "shard.sqlite"], ["dataset", "export", "demo", "out"],
        ["dataset", "split", "demo", "out", "--group-duplicates"], ["embeddings", "export", "demo", "out"], ["duplicates"],
    ]

    /// The option group of type `T` of a parsed command (found by reflection, wherever the command keeps it).
    private func group<T: ParsableArguments>(_ type: T.Type, of command: ParsableCommand) -> T? {
        Mirror(reflecting: command).children.lazy.compactMap { ($0.value as? OptionGroup<T>)?.wrappedValue }.first
    }

    @Test(arguments: commandsThatRunAModel)
    func everyCommandThatRunsAModelTakesTheSameGroup(path: [String]) throws {
        let options = ["--model", "m.ckpt", "--ema", "--vision-heads", "12", "--text-heads", "8", "--kernels", "portable",
                       "--precision", "bf16"]
        let command = try ScenarioCLIPCommand.parseAsRoot(path + options)
        let parsed = try #require(group(ModelOptions.self, of: command), "\(path.joined(separator: " ")) has no ModelOptions")
        #expect(parsed.model == "m.ckpt")
        #expect(parsed.file.preferEMA)
        #expect(parsed.file.visionHeads == 12)
        #expect(parsed.file.textHeads == 8)
        #expect(parsed.kernelOptions.kernels == .portable)
        #expect(parsed.precision.precision == .bfloat16)
    }

    @Test(arguments: [["inspect", "m.ckpt"], ["convert", "m.ckpt", "out.safetensors"]])
    func inspectAndConvertTakeTheFilePart(path: [String]) throws {
        let command = try ScenarioCLIPCommand.parseAsRoot(path + ["--ema", "--vision-heads", "12", "--text-heads", "8"])
        let file = try #require(group(ModelFileOptions.self, of: command))
        #expect(file.preferEMA && file.visionHeads == 12 && file.textHeads == 8)
    }

    @Test(arguments: commandsThatRunAModel.prefix(4))
    func aHeadCountThatIsNotPositiveIsRefused(path: [String]) {
        do {
            _ = try ScenarioCLIPCommand.parseAsRoot(path + ["--text-heads", "0"])
            Issue.record("--text-heads 0 was accepted")
        } catch {
            #expect(ScenarioCLIPCommand.message(for: error).contains("--text-heads must be positive"), "\(error)")
        }
    }

    @Test(arguments: [["--ema"], ["--vision-heads", "12"], ["--precision", "bf16"]])
    func embedWithoutALevelRefusesWhatItsFolderPathDoesNotUse(option: [String]) {
        // Without --level, embed runs a Hugging Face folder as its config.json says, in float32.
        do {
            _ = try ScenarioCLIPCommand.parseAsRoot(["embed", "--model", "clip", "--text", "a"] + option)
            Issue.record("\(option) was accepted without --level")
        } catch {
            #expect(ScenarioCLIPCommand.message(for: error).contains("need --level"), "\(error)")
        }
    }

    @Test func headsThatDisagreeWithAScenarioCLIPFileAreAnErrorAndAgreeingOnesAreAccepted() throws {
        // The bundled model stores 4 text heads in its config.
        let wrong = try CLIHarness.run(["embed", "--level", "global", "--text", "a dog", "--text-heads", "7"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("stores 4 text attention heads"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("--text-heads 7 disagrees"), "\(wrong.stderr)")
        let wrongClassify = try CLIHarness.run(["classify", "--vision-heads", "3"])
        #expect(wrongClassify.status != 0)
        #expect(wrongClassify.stderr.contains("--vision-heads 3 disagrees"), "\(wrongClassify.stderr)")
        let agreeing = try CLIHarness.run(["embed", "--level", "global", "--text", "a dog", "--text-heads", "4", "--json"])
        #expect(agreeing.status == 0, "\(agreeing.stderr)")
        #expect(agreeing.stdout.contains("\"embedding\""))
    }
}
