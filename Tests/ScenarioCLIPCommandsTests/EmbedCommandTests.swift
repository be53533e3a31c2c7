import Foundation
import Testing

/// `scenarioclip embed` on a CLIP folder: text, image and box inputs, plain and per-level JSON.
@Suite struct EmbedCommandTests {
    private func embedding(_ args: [String]) throws -> [Double] {
        let output = try CLIHarness.run(["embed"] + args + ["--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try CLIHarness.json(output.stdout) as? [String: Any])
        return try #require(object["embedding"] as? [Double])
    }

    @Test func textImageAndBoxGiveProjectedFeatures() throws {
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model")
        try CLIHarness.writeTinyCLIP(to: model)
        let image = ImportTests.fixtures.appendingPathComponent("scenes/images/000000.jpg").path

        let text = try embedding(["--model", model.path, "--text", "a dog chasing a ball"])
        #expect(text.count == 24)   // the folder's projection_dim
        // A plain CLIP folder serves every level through its own projections: same text features.
        let global = try embedding(["--model", model.path, "--level", "global", "--text", "a dog chasing a ball"])
        #expect(zip(text, global).allSatisfy { abs($0 - $1) < 1e-5 })

        let whole = try embedding(["--model", model.path, "--image", image])
        let boxed = try embedding(["--model", model.path, "--image", image, "--box", "10,20,40,60"])
        #expect(whole.count == 24 && boxed.count == 24)
        #expect(zip(whole, boxed).contains { abs($0 - $1) > 1e-4 })
    }

    @Test func badInputIsRefusedWithTheReason() throws {
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try CLIHarness.run(["embed", "--model", folder.appendingPathComponent("none").path, "--text", "x"])
        #expect(missing.status != 0 && missing.stderr.contains("none"))
        let notJPEG = folder.appendingPathComponent("fake.jpg")
        try Data("PNG?".utf8).write(to: notJPEG)
        let model = folder.appendingPathComponent("model")
        try CLIHarness.writeTinyCLIP(to: model)
        let bad = try CLIHarness.run(["embed", "--model", model.path, "--image", notJPEG.path])
        #expect(bad.status != 0 && bad.stderr.contains("fake.jpg"))
    }

    /// Coordinates no `Int` holds (or no pixel could be at) are an error naming `--box`, never a trap.
    @Test func boxCoordinatesOutOfRangeAreRefused() throws {
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model")
        try CLIHarness.writeTinyCLIP(to: model)
        let image = ImportTests.fixtures.appendingPathComponent("scenes/images/000000.jpg").path
        for value in ["1e19", "1e308", "-9223372036854775808", "nan", "inf", "-inf", "1e9"] {
            let output = try CLIHarness.run(
                ["embed", "--model", model.path, "--level", "object", "--image", image, "--box=0,0,\(value),5"])
            #expect(output.status == 64, "--box with \(value): status \(output.status), \(output.stderr)")
            #expect(output.stderr.contains("--box") && output.stderr.contains(value), "\(output.stderr)")
        }
        let stray = try CLIHarness.run(["embed", "--model", model.path, "--image", image, "--box=0,0,x,5,6"])
        #expect(stray.status == 64 && stray.stderr.contains("--box"), "\(stray.stderr)")
    }
}
