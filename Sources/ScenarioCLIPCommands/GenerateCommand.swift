import ArgumentParser
import Foundation
import SceneGenerator

/// `scenarioclip generate`: Render a synthetic scenario dataset.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Render a synthetic scenario dataset.",
        discussion: """
            Writes OUT_DIR/metadata.json, classes.json, generator.json, images/ and regions/ (JPEG) in the
            reference format. The same seed and size always give the same dataset; some compositions are
            held out and appear only in the test split (see generator.json).
            """
    )

    @Argument(help: "Folder to write the dataset to (created if missing).")
    var outDir: String

    @Option(help: "Number of scenes.")
    var scenes: Int = 300

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Image size WIDTHxHEIGHT.")
    var size: String = "256x192"

    @Option(help: "JPEG quality 1-100.")
    var quality: Int = 85

    @Flag(help: "Replace the dataset files in a non-empty OUT_DIR.")
    var force = false

    /// `(width, height)` parsed from `--size`.
    static func parseSize(_ text: String) throws -> (Int, Int) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
            throw GeneratorError.invalidSize(text)
        }
        return (w, h)
    }

    func validate() throws {
        guard scenes >= 1 else { throw ValidationError("--scenes must be at least 1") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be within 1...100") }
        do { _ = try Self.parseSize(size) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let (width, height) = try Self.parseSize(size)
        let generator: SceneGenerator
        do { generator = try SceneGenerator(seed: seed, width: width, height: height) } catch {
            throw ValidationError("\(error)")
        }
        let url = URL(fileURLWithPath: outDir, isDirectory: true)
        let writer = try DatasetWriter(directory: url, quality: quality, force: force)
        let command = "scenarioclip generate \(outDir) --scenes \(scenes) --seed \(seed) --size \(width)x\(height) --quality \(quality)"
        let start = Date()
        let step = max(1, min(100, scenes / 10))
        print("generating \(scenes) scenes (\(width)x\(height), seed \(seed)) into \(url.path)")
        let summary = try writer.write(generator, count: scenes, command: command) { done, total in
            if done % step == 0 || done == total {
                let elapsed = Date().timeIntervalSince(start)
                let rate = Double(done) / max(elapsed, 1e-9)
                print("  \(done)/\(total) scenes  \(String(format: "%.0f", rate)) scenes/s")
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        print("""
            wrote \(summary.scenes) scenes, \(summary.relations) relations: train \(summary.train), \
            val \(summary.val), test \(summary.test) (\(summary.unseen) with held-out compositions); \
            \(String(format: "%.1f", Double(summary.bytes) / 1_000_000)) MB in \(String(format: "%.1f", elapsed)) s \
            (\(String(format: "%.0f", Double(summary.scenes) / max(elapsed, 1e-9))) scenes/s)
            """)
    }
}
