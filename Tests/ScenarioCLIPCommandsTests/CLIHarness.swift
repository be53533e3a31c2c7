import CLIP
import Foundation
import Numerics
import Synthetic
import Weights

/// Runs the built `scenarioclip` binary as a user would, and prepares the data it works on.
enum CLIHarness {
    /// The `scenarioclip` executable built beside the test bundle.
    static let binary: URL = {
        var candidates: [URL] = []
        if let runner = CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: runner).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<3 {
                candidates.append(dir.appendingPathComponent("scenarioclip"))
                dir.deleteLastPathComponent()
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/scenarioclip"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `scenarioclip args...` to completion.
    /// `environment` entries are added to this process's environment (a `nil` value removes the variable).
    static func run(_ args: [String], timeout: TimeInterval = 300, environment: [String: String?] = [:]) throws -> Output {
        let process = try Running(args, environment: environment)
        let deadline = Date().addingTimeInterval(timeout)
        while process.process.isRunning && Date() < deadline { usleep(20_000) }
        if process.process.isRunning { process.process.terminate() }
        return process.finish()
    }

    /// A running `scenarioclip` process whose output is collected in temporary files.
    final class Running {
        let process = Process()
        let outURL: URL
        let errURL: URL

        init(_ args: [String], environment: [String: String?] = [:]) throws {
            let dir = FileManager.default.temporaryDirectory
            outURL = dir.appendingPathComponent("cli-\(UUID().uuidString).out")
            errURL = dir.appendingPathComponent("cli-\(UUID().uuidString).err")
            FileManager.default.createFile(atPath: outURL.path, contents: nil)
            FileManager.default.createFile(atPath: errURL.path, contents: nil)
            process.executableURL = CLIHarness.binary
            process.arguments = args
            if !environment.isEmpty {
                var merged = ProcessInfo.processInfo.environment
                for (name, value) in environment { merged[name] = value }
                process.environment = merged
            }
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Waits for exit and returns what it printed.
        func finish() -> Output {
            process.waitUntilExit()
            let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
            return Output(status: process.terminationStatus, stdout: out, stderr: err)
        }
    }

    static func start(_ args: [String]) throws -> Running { try Running(args) }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cli-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a small random Hugging Face CLIP folder (full CLIP vocabulary, tiny towers) into `folder`.
    /// Random weights make results meaningless but deterministic: these tests check the plumbing.
    static func writeTinyCLIP(to folder: URL, imageSize: Int = 32) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let json = """
            {"model_type": "clip", "projection_dim": 24,
             "vision_config": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                               "num_attention_heads": 2, "image_size": \(imageSize), "patch_size": 8},
             "text_config": {"vocab_size": 49408, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1,
                             "num_attention_heads": 2, "max_position_embeddings": 77, "eos_token_id": 49407}}
            """
        try Data(json.utf8).write(to: folder.appendingPathComponent("config.json"))
        let config = try JSONDecoder().decode(CLIPConfig.self, from: Data(json.utf8))
        var writer = SafeTensorsWriter()
        for (name, tensor) in CLIPRandomWeights.tensors(for: config, seed: 7) { try writer.add(name, tensor) }
        try writer.write(to: folder.appendingPathComponent("model.safetensors"))
    }

    /// Decodes JSON printed by a command.
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }
}

extension CLIHarness {
    /// Runs any program to completion (for wrappers such as `unshare`), collecting its output.
    static func runCommand(_ executable: String, _ args: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to their ends before waiting, so a chatty child cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Whether this machine lets an unprivileged process mount a tmpfs in its own user and mount namespace.
    static let canMountInUserNamespace: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
              let probe = try? temporaryFolder() else { return false }
        defer { try? FileManager.default.removeItem(at: probe) }
        let output = try? runCommand("/usr/bin/unshare", ["-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$0\"", probe.path])
        return output?.status == 0
    }()
}
