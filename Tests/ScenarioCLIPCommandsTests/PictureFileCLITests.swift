import Foundation
import Testing

/// `check` and `index` on datasets naming a FIFO or a device as a picture or focused region: each finishes at
/// once with an error naming the file and what it is (never a hang or an endless read of `/dev/zero`).
@Suite struct PictureFileCLITests {
    enum Case: String, CaseIterable, Sendable {
        case fifoImage, zeroImage, randomImage, zeroRegion
    }

    /// The import fixture's scenes, copied, with the first record's picture or region replaced.
    private func dataset(_ kind: Case, in folder: URL) throws -> (dataset: URL, culprit: String) {
        let dataset = folder.appendingPathComponent("scenes")
        try FileManager.default.copyItem(at: ImportTests.fixtures.appendingPathComponent("scenes"), to: dataset)
        let metadataURL = dataset.appendingPathComponent("metadata.json")
        var metadata = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: metadataURL)) as? [String: Any])
        var records = try #require(metadata["data"] as? [[String: Any]])
        let culprit: String
        switch kind {
        case .fifoImage:
            let image = dataset.appendingPathComponent("images/000000.jpg")
            try FileManager.default.removeItem(at: image)
            #expect(mkfifo(image.path, 0o644) == 0)
            culprit = image.path
        case .zeroImage, .randomImage:
            culprit = kind == .zeroImage ? "/dev/zero" : "/dev/urandom"
            records[0]["image_path"] = culprit
        case .zeroRegion:
            culprit = "/dev/zero"
            var relations = try #require(records[0]["relations"] as? [[Any]])
            relations[0][0] = culprit
            records[0]["relations"] = relations
        }
        metadata["data"] = records
        try JSONSerialization.data(withJSONObject: metadata).write(to: metadataURL)
        return (dataset, culprit)
    }

    @Test(arguments: Case.allCases)
    func specialFilesAsPicturesAreRefusedAtOnce(kind: Case) throws {
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (dataset, culprit) = try dataset(kind, in: folder)
        let model = folder.appendingPathComponent("model")
        try CLIHarness.writeTinyCLIP(to: model)
        let what = kind == .fifoImage ? "a named pipe (FIFO), not a regular file" : "a character device, not a regular file"
        for args in [["check", dataset.path], ["index", dataset.path, "--model", model.path]] {
            let start = Date()
            let output = try CLIHarness.run(args, timeout: 120)
            let text = output.stdout + output.stderr
            #expect(Date().timeIntervalSince(start) < 100, "\(args[0]) took too long")
            #expect(output.status != 0 && output.status != 15, "\(args[0]): status \(output.status)")
            #expect(text.contains(culprit) && text.contains(what), "\(args[0]): \(text)")
            #expect(!text.contains("permission"), "\(text)")
        }
    }
}
