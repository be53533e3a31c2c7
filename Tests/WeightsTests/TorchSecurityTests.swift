import Foundation
import Numerics
import Testing

@testable import Weights

/// Hostile or damaged checkpoints: each must fail with a clear error, never run code or crash.
@Suite struct TorchSecurityTests {
    private func expectError(_ url: URL, mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try TorchCheckpoint(contentsOf: url)
            Issue.record("expected \(url.lastPathComponent) to be refused", sourceLocation: sourceLocation)
        } catch let error as WeightsError {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "'\(error.description)' lacks '\(fragment)'",
                        sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Builds a zip from raw members with the production writer.
    private func zip(_ members: [(String, [UInt8])]) throws -> URL {
        let url = TorchFixtures.temporaryURL("crafted.pt")
        let writer = try ZipStreamWriter(url: url)
        for (name, bytes) in members { try bytes.withUnsafeBytes { try writer.add(name: name, data: $0) } }
        try writer.finish()
        return url
    }

    private func validFile() throws -> URL {
        let url = TorchFixtures.temporaryURL("valid.pt")
        try TorchStateDictWriter().write([("w", Tensor(shape: [4, 4], values: (0..<16).map(Float.init)))], to: url)
        return url
    }

    @Test func pickleCallingOsSystemIsRefused() {
        // Written by torch.save of an object whose __reduce__ returns (os.system, (...)).
        // On Linux the pickle names it `posix.system`; either way the message names the global.
        do {
            _ = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_evil_os_system.pt"))
            Issue.record("expected refusal")
        } catch let error as WeightsError {
            #expect(error.description.contains("posix.system") || error.description.contains("os.system"))
            #expect(error.description.contains("refusing global"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func unexpectedUserClassIsRefused() {
        expectError(TorchFixtures.url("torch_user_class.pt"), mentioning: ["__main__.UserClass", "refusing global"])
    }

    @Test func handWrittenOsSystemPickleIsRefused() throws {
        // c os\nsystem\n  X 'echo pwned'  TUPLE1  REDUCE  STOP
        var pickle: [UInt8] = [0x80, 0x02, 0x63] + Array("os\nsystem\n".utf8) + [0x58, 10, 0, 0, 0]
        pickle += Array("echo pwned".utf8) + [0x85, 0x52, 0x2E]
        let url = try zip([("archive/data.pkl", pickle)])
        defer { try? FileManager.default.removeItem(at: url) }
        expectError(url, mentioning: ["'os.system'", "data.pkl"])
    }

    @Test func pathTraversalEntryNameIsRefused() throws {
        let url = try zip([("archive/data.pkl", [0x80, 0x02, 0x7D, 0x2E]), ("../../etc/cron.d/evil", [1, 2, 3])])
        defer { try? FileManager.default.removeItem(at: url) }
        expectError(url, mentioning: ["../../etc/cron.d/evil", "unsafe"])
        let absolute = try zip([("/archive/data.pkl", [0x80, 0x02, 0x7D, 0x2E])])
        defer { try? FileManager.default.removeItem(at: absolute) }
        expectError(absolute, mentioning: ["/archive/data.pkl", "unsafe"])
    }

    @Test func storageShorterThanItsTensorIsRefused() throws {
        var pickle = PickleWriter()
        pickle.writeStateDict([("big.weight", [10, 10])], storageClass: "FloatStorage")
        // The storage record holds 16 bytes but the pickle claims 100 floats.
        let url = try zip([("archive/data.pkl", pickle.bytes), ("archive/data/0", [UInt8](repeating: 0, count: 16))])
        defer { try? FileManager.default.removeItem(at: url) }
        expectError(url, mentioning: ["big.weight", "archive/data/0", "only 16 bytes"])
    }

    @Test func viewReachingPastItsStorageIsRefused() throws {
        // Storage of 4 floats (16 bytes, consistent) but a [10] view over it.
        var pickle: [UInt8] = [0x80, 0x02, 0x7D, 0x58, 1, 0, 0, 0, 0x77]
        pickle += [0x63] + Array("torch._utils\n_rebuild_tensor_v2\n".utf8) + [0x28, 0x28]
        pickle += [0x58, 7, 0, 0, 0] + Array("storage".utf8) + [0x63] + Array("torch\nFloatStorage\n".utf8)
        pickle += [0x58, 1, 0, 0, 0, 0x30, 0x58, 3, 0, 0, 0] + Array("cpu".utf8) + [0x4B, 4, 0x74, 0x51]
        pickle += [0x4B, 0, 0x4B, 10, 0x85, 0x4B, 1, 0x85, 0x89, 0x29, 0x74, 0x52, 0x73, 0x2E]
        let url = try zip([("archive/data.pkl", pickle), ("archive/data/0", [UInt8](repeating: 0, count: 16))])
        defer { try? FileManager.default.removeItem(at: url) }
        expectError(url, mentioning: ["tensor 'w'", "only 4 elements"])
    }

    @Test func headerClaimingAHugeSizeIsRefused() throws {
        let url = try validFile()
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = [UInt8](try Data(contentsOf: url))
        // Patch the central-directory size fields of every record to ~2 GB.
        var i = 0
        while i + 46 < bytes.count {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x01, bytes[i + 3] == 0x02 {
                for k in 20..<28 { bytes[i + k] = k % 4 == 3 ? 0x7F : 0xF0 }
            }
            i += 1
        }
        let patched = TorchFixtures.temporaryURL("huge.pt")
        defer { try? FileManager.default.removeItem(at: patched) }
        try Data(bytes).write(to: patched)
        expectError(patched, mentioning: ["claims", "beyond the file"])
    }

    @Test func pickleClaimingAHugeStringIsRefused() throws {
        let url = try zip([("archive/data.pkl", [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0x7F, 0x41, 0x2E])])
        defer { try? FileManager.default.removeItem(at: url) }
        expectError(url, mentioning: ["2147483647-byte", "data.pkl"])
    }

    @Test func truncatedFileIsRefused() throws {
        let url = try validFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let data = try Data(contentsOf: url)
        for keep in [0, 10, data.count / 2, data.count - 10] {
            let cut = TorchFixtures.temporaryURL("cut.pt")
            defer { try? FileManager.default.removeItem(at: cut) }
            try data.prefix(keep).write(to: cut)
            expectError(cut, mentioning: [cut.lastPathComponent])
        }
    }

    @Test func nonZipFileIsRefused() throws {
        let url = TorchFixtures.temporaryURL("text.pt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(String(repeating: "not a checkpoint\n", count: 20).utf8).write(to: url)
        expectError(url, mentioning: ["not a zip file"])
        expectError(URL(fileURLWithPath: "/nonexistent/model.ckpt"), mentioning: ["/nonexistent/model.ckpt", "cannot open"])
    }
}
