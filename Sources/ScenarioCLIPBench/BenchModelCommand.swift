import ArgumentParser
import CLIP
import CommandSupport
import Foundation
import Numerics
import ScenarioModel
import Weights

/// `scenarioclip bench model`: Loading a full-size ScenarioCLIP checkpoint: time and peak memory.
struct BenchModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Loading a full-size ScenarioCLIP checkpoint: time and peak memory.",
        discussion: """
            Writes a random full-size ViT-B/32 ThreeLevelCLIP state dict (six towers, ~1.8 GB f32, keys with \
            Lightning's `model.` prefix) with the Swift writer, then measures in this process: open time, build time \
            (which reads every weight once for the fingerprint), one forward pass per level (the first, which packs \
            each layer's weights for the product kernel, then a second), and peak resident memory \
            (VmHWM, reset before loading via /proc/self/clear_refs) against the weights' size. With --f16 it \
            repeats with f16 storage and reports the embedding difference. Files are deleted afterwards.
            """)

    @Option(help: "Folder for the temporary checkpoint files.")
    var directory = FileManager.default.temporaryDirectory.path

    @Flag(help: "Also measure f16 weight storage and its accuracy cost.")
    var f16 = false

    @Flag(help: "Keep the generated files.")
    var keep = false

    func run() throws {
        let vision = CLIPVisionConfig()  // ViT-B/32 defaults
        let text = CLIPTextConfig(eosTokenID: 2)
        var entries = ReferenceLayout.tensorShapes(.threeLevel, vision: vision, text: text)
            .map { TorchStateDictWriter.Entry(name: "model." + $0.name, shape: $0.shape) }
        entries += Level.allCases.map { TorchStateDictWriter.Entry(name: "\($0.rawValue)_loss.logit_scale", shape: []) }
        let weightBytes = entries.reduce(0) { $0 + $1.shape.reduce(1, *) * 4 }
        let f32URL = URL(fileURLWithPath: directory).appendingPathComponent("scenarioclip-bench-\(getpid())-f32.pt")
        let f16URL = URL(fileURLWithPath: directory).appendingPathComponent("scenarioclip-bench-\(getpid())-f16.pt")
        defer {
            if !keep {
                try? FileManager.default.removeItem(at: f32URL)
                try? FileManager.default.removeItem(at: f16URL)
            }
        }
        print("bench model: ThreeLevelCLIP ViT-B/32 (6 towers), \(entries.count) tensors, \(mb(weightBytes)) MB of f32 weights")

        var start = Date()
        try write(entries, to: f32URL, dtype: .float32)
        print(String(format: "  write f32 state dict      %7.2f s  (%@ MB file)", Date().timeIntervalSince(start),
                     mb(fileSize(f32URL)) as NSString))
        let baseline = try measureLoad(f32URL, weightBytes: weightBytes, label: "f32")

        if f16 {
            start = Date()
            try write(entries, to: f16URL, dtype: .float16)
            print(String(format: "  write f16 state dict      %7.2f s  (%@ MB file)", Date().timeIntervalSince(start),
                         mb(fileSize(f16URL)) as NSString))
            let half = try measureLoad(f16URL, weightBytes: weightBytes, label: "f16")
            var worst: Float = 0
            var lowestCosine: Float = 1
            for (a, b) in zip(baseline, half) {
                worst = max(worst, zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0)
                let width = a.shape.last!
                for row in 0..<(a.count / width) {
                    let x = Array(a.scalars[(row * width)..<((row + 1) * width)])
                    let y = Array(b.scalars[(row * width)..<((row + 1) * width)])
                    let dot = zip(x, y).map { $0 * $1 }.reduce(0, +)
                    let norms = (x.map { $0 * $0 }.reduce(0, +) * y.map { $0 * $0 }.reduce(0, +)).squareRoot()
                    lowestCosine = min(lowestCosine, dot / norms)
                }
            }
            print(String(format: "  f16 vs f32 embeddings: max abs diff %.2e, min cosine %.7f (raw head outputs, random weights)",
                         worst, lowestCosine))
        }
    }

    /// Streams random weights (normal·0.02; norm scales near 1) into a state dict.
    private func write(_ entries: [TorchStateDictWriter.Entry], to url: URL, dtype: StoredDType) throws {
        var rng = SplitMix64(seed: 2024)
        try TorchStateDictWriter(dtype: dtype).write(entries: entries, to: url) { i in
            let entry = entries[i]
            let isNormScale = entry.name.hasSuffix("norm.weight") || entry.name.hasSuffix("layrnorm.weight")
                || entry.name.hasSuffix("layer_norm1.weight") || entry.name.hasSuffix("layer_norm2.weight")
                || entry.name.hasSuffix("layernorm.weight")
            var t = Tensor(zeros: entry.shape)
            t.withUnsafeMutableBufferPointer { values in
                for j in 0..<values.count {
                    let u = rng.nextUnitFloat() - 0.5
                    values[j] = isNormScale ? 1 + 0.1 * u : 0.07 * u
                }
            }
            return t
        }
    }

    /// Loads `url` with peak memory reset first; returns embeddings of a fixed input at every level.
    private func measureLoad(_ url: URL, weightBytes: Int, label: String) throws -> [Tensor] {
        let reset = resetPeak()
        let before = memory()
        var start = Date()
        let checkpoint = try ScenarioModelLoader.open(url: url)
        let open = Date().timeIntervalSince(start)
        start = Date()
        let model = try checkpoint.makeEmbedder() as! ThreeLevelCLIP
        let build = Date().timeIntervalSince(start)
        let fingerprint = model.fingerprint
        start = Date()
        var pixels = Tensor(zeros: [1, 3, 224, 224])
        var rng = SplitMix64(seed: 7)
        pixels.withUnsafeMutableBufferPointer { for i in 0..<$0.count { $0[i] = rng.nextGaussian() } }
        let ids: [[Int32]] = [[49406, 2533, 5050, 320, 1937, 49407] + [Int32](repeating: 49407, count: 71)]
        var outputs: [Tensor] = []
        var firstTimes: [String] = []
        for level in Level.allCases {
            var levelStart = Date()
            outputs.append(try model.embedImages(pixels, level: level))
            let image = Date().timeIntervalSince(levelStart)
            levelStart = Date()
            outputs.append(try model.embedTokens(ids, level: level))
            firstTimes.append(String(format: "%@ %.2f + %.2f", level.rawValue, image, Date().timeIntervalSince(levelStart)))
        }
        let forward = Date().timeIntervalSince(start)
        start = Date()
        for level in Level.allCases {
            _ = try model.embedImages(pixels, level: level)
            _ = try model.embedTokens(ids, level: level)
        }
        let again = Date().timeIntervalSince(start)
        let after = memory()
        print(String(format: "  %@ open (zip, pickle, keys) %7.2f s  (tensors memory-mapped%@)", label as NSString, open,
                     label == "f32" ? ", no copy" : "; f16 converted to f32 when read"))
        print(String(format: "  %@ build + fingerprint    %7.2f s  (reads every weight once) %@…", label as NSString, build,
                     String(fingerprint.prefix(16)) as NSString))
        print(String(format: "  %@ 1 image + 1 text/level %7.2f s  (first: packs the weights; image + text s: %@)",
                     label as NSString, forward, firstTimes.joined(separator: ", ") as NSString))
        print(String(format: "  %@ the same again         %7.2f s", label as NSString, again))
        if let peak = after.peak, let base = before.resident {
            print(String(format: "  %@ peak RSS %@ MB (before load %@ MB) = %.2f × weights (%.2f × counting only growth)%@",
                         label as NSString, mb(peak) as NSString, mb(base) as NSString,
                         Double(peak) / Double(weightBytes), Double(peak - base) / Double(weightBytes),
                         reset ? "" : " [peak not reset: clear_refs unavailable]"))
        }
        return outputs
    }

    private func fileSize(_ url: URL) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    }

    private func mb(_ bytes: Int) -> String { String(format: "%.0f", Double(bytes) / 1_048_576) }

    /// Resets VmHWM to the current RSS (Linux ≥ 4.0).
    private func resetPeak() -> Bool {
        FileManager.default.isWritableFile(atPath: "/proc/self/clear_refs")
            && (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
    }

    /// `VmRSS` and `VmHWM` of this process in bytes, from /proc/self/status.
    private func memory() -> (resident: Int?, peak: Int?) {
        (ProcessMemory.residentBytes, ProcessMemory.peakResidentBytes)
    }
}
