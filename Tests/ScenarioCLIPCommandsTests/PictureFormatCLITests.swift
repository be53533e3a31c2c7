import Foundation
import Imaging
import Testing

/// The same pixels stored as JPEG, as a PNG named `.jpg` and as lossless WebP named `.png` embed identically and
/// pass `check`: every command reads pictures by content, not by name.
@Suite struct PictureFormatCLITests {
    private func embedding(_ args: [String]) throws -> [Double] {
        let output = try CLIHarness.run(["embed"] + args + ["--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try CLIHarness.json(output.stdout) as? [String: Any])
        return try #require(object["embedding"] as? [Double])
    }

    @Test func pngAndWebPEmbedAsTheJPEGsPixels() throws {
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model")
        try CLIHarness.writeTinyCLIP(to: model)
        let jpeg = ImportTests.fixtures.appendingPathComponent("scenes/images/000000.jpg")
        let pixels = try Picture.decode(contentsOf: jpeg)
        let png = folder.appendingPathComponent("png-named.jpg")
        try PNG.encode(pixels).write(to: png)
        let webp = folder.appendingPathComponent("webp-named.png")
        try WebP.encode(pixels, lossless: true).write(to: webp)

        for box in [[], ["--box", "10,20,40,60"]] {
            let reference = try embedding(["--model", model.path, "--image", jpeg.path] + box)
            for other in [png, webp] {
                let got = try embedding(["--model", model.path, "--image", other.path] + box)
                #expect(got.count == reference.count && zip(got, reference).allSatisfy { abs($0 - $1) < 1e-6 },
                        "\(other.lastPathComponent) \(box)")
            }
        }
    }

    @Test func checkReadsAPNGNamedJPG() throws {
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = folder.appendingPathComponent("scenes")
        try FileManager.default.copyItem(at: ImportTests.fixtures.appendingPathComponent("scenes"), to: dataset)
        let image = dataset.appendingPathComponent("images/000000.jpg")
        try PNG.encode(try Picture.decode(contentsOf: image)).write(to: image)
        #expect(PictureFormat(sniffing: try Data(contentsOf: image)) == .png)
        let output = try CLIHarness.run(["check", dataset.path])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }
}
