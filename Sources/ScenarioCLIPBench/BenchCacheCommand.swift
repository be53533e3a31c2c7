import ArgumentParser
import EmbeddingCache
import Foundation
import Numerics
import Scenes

/// `scenarioclip bench cache`: Embedding cache open/load and index throughput.
struct BenchCacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Embedding cache open/load and index throughput.",
        discussion: """
            Writes COUNT synthetic WIDTH-wide vectors (and their dataset items) into a fresh cache in a
            temporary folder, then times opening it and loading one level as a matrix (best of --repeats).
            Also writes a COUNT-record metadata.json and times loading the dataset (images are not read).
            """
    )

    @Option(help: "Number of vectors and scenes.")
    var count = 100_000

    @Option(help: "Vector width.")
    var width = 512

    @Option(help: "Vector encodings to measure (f16, f32).")
    var encoding: [String] = ["f16", "f32"]

    @Option(help: "Timed repetitions (the best is reported).")
    var repeats = 3

    @Option(help: "Folder for the temporary files (default: the system temporary folder).")
    var folder: String?

    @Flag(help: "Keep the files in --folder and reuse caches already written there (load timing only).")
    var keep = false

    @Flag(help: "Skip the dataset-loading measurement.")
    var vectorsOnly = false

    func run() throws {
        let base = folder.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let work = keep ? base : base.appendingPathComponent("scenarioclip-bench-cache-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: work) } }
        print("bench cache: \(count) vectors × \(width), \(ProcessInfo.processInfo.activeProcessorCount) cores, folder \(work.path)")

        for name in encoding {
            guard let encoding = VectorEncoding(rawValue: name) else { throw ValidationError("unknown encoding '\(name)' (f16 or f32)") }
            try benchVectors(encoding: encoding, in: work)
        }
        if !vectorsOnly { try benchDataset(in: work) }
    }

    private func benchVectors(encoding: VectorEncoding, in work: URL) throws {
        let url = work.appendingPathComponent("cache-\(encoding.rawValue)-\(count)x\(width).sqlite")
        if !(keep && FileManager.default.fileExists(atPath: url.path)) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
            try writeVectors(to: url, encoding: encoding)
        }
        try timeLoad(url, encoding: encoding)
    }

    private func writeVectors(to url: URL, encoding: VectorEncoding) throws {
        var generator = SplitMix64(seed: 1)
        let writeStart = Date()
        do {
            let cache = try EmbeddingCache.open(at: url, options: CacheOptions(encoding: encoding))
            let batch = 5_000
            var items: [DatasetItem] = []
            items.reserveCapacity(count)
            var vector = [Float](repeating: 0, count: width)
            for start in stride(from: 0, to: count, by: batch) {
                try cache.write { writer in
                    for i in start..<min(start + batch, count) {
                        for j in 0..<width { vector[j] = generator.nextGaussian() }
                        let key = ItemKey.image(ContentHash(hex: String(i, radix: 16)))
                        try writer.storeVector(vector, for: key, fingerprint: "bench", level: .global)
                        items.append(DatasetItem(sceneID: "scene-\(i)", level: .global, index: 0, key: key))
                    }
                }
            }
            try cache.write { try $0.replaceAllItems(items) }
        }
        let writeSeconds = Date().timeIntervalSince(writeStart)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        print(String(format: "  %@: wrote %d vectors in %.1f s (%.0f vectors/s, batches of 5000), file %.1f MB",
                     encoding.rawValue, count, writeSeconds, Double(count) / writeSeconds, Double(bytes) / 1e6))
    }

    private func timeLoad(_ url: URL, encoding: VectorEncoding) throws {
        var best = Double.infinity
        var bestOpen = Double.infinity
        var bestCPU = Double.infinity
        for _ in 0..<max(1, repeats) {
            let cpuStart = BenchSearchCommand.cpuMilliseconds()
            defer { bestCPU = min(bestCPU, BenchSearchCommand.cpuMilliseconds() - cpuStart) }
            let start = Date()
            let cache = try EmbeddingCache.open(at: url)
            let opened = Date()
            let loaded = try cache.loadLevel(fingerprint: "bench", level: .global)
            let seconds = Date().timeIntervalSince(start)
            precondition(loaded.count == count && loaded.width == width, "bench cache: loaded \(loaded.count)×\(loaded.width)")
            best = min(best, seconds)
            bestOpen = min(bestOpen, opened.timeIntervalSince(start))
        }
        print(String(format: "  %@: open + load %d×%d matrix: %.0f ms (open alone %.1f ms; CPU %.0f ms), best of %d",
                     encoding.rawValue, count, width, best * 1000, bestOpen * 1000, bestCPU, max(1, repeats)))
    }

    private func benchDataset(in work: URL) throws {
        let dataset = work.appendingPathComponent("dataset")
        try FileManager.default.createDirectory(at: dataset, withIntermediateDirectories: true)
        var text = "{\"data\": [\n"
        for i in 0..<count {
            if i > 0 { text += ",\n" }
            text += """
                {"id": \(i), "image_path": "images/\(i).jpg", "action": "person holding a cup", \
                "objects": [["person", [1.5, 2, 100, 200]], ["cup", [50, 60, 80, 90]]], \
                "relations": [["regions/\(i)_0.jpg", ["person", "holding", "cup"]]]}
                """
        }
        text += "\n]}"
        try Data(text.utf8).write(to: dataset.appendingPathComponent("metadata.json"))
        try Data(#"{"actions": ["person holding a cup"], "objects": ["person", "cup"], "relations": ["person holding cup"]}"#.utf8)
            .write(to: dataset.appendingPathComponent("classes.json"))
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = Date()
            let loaded = try SceneDataset.load(from: dataset)
            best = min(best, Date().timeIntervalSince(start))
            precondition(loaded.records.count == count && !loaded.hasErrors, "bench cache: dataset did not load cleanly")
        }
        print(String(format: "  dataset: load + validate %d records (%.1f MB JSON, images not read): %.0f ms, best of %d",
                     count, Double(text.utf8.count) / 1e6, best * 1000, max(1, repeats)))
    }
}
