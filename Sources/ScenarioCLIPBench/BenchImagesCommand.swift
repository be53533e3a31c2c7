import ArgumentParser
import Foundation
import Imaging

/// `scenarioclip bench images`: JPEG, PNG and WebP decode + CLIP preprocessing per image.
struct BenchImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images", abstract: "JPEG, PNG and WebP decode + CLIP preprocessing per image.",
        discussion: """
            Writes photo-like 640x480 and 1920x1080 pictures (JPEG, PNG, lossy and lossless WebP) to a \
            temporary folder, then times decoding, preprocessing to [3, S, S] (whole image and one object crop) \
            and the header read for each; for JPEG also the file -> tensor path that decodes only the pixels the \
            resize reads, and the 2-thread batch loader (which uses that path).
            """)

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var iterations = 20

    @Option(help: "Model input side S.")
    var imageSize = 224

    @Option(help: "JPEG quality of the generated test images.")
    var quality = 90

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
        guard imageSize > 0 else { throw ValidationError("--image-size must be positive") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be in 1...100") }
    }

    func run() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("scenarioclip-bench-images-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var config = CLIPPreprocessConfig.openAICLIP
        config.imageSize = imageSize
        let preprocessor = try CLIPPreprocessor(config: config)
        print("bench images: S=\(imageSize), JPEG quality \(quality), WebP lossy quality 80, median of \(iterations) runs, "
              + "1 thread unless noted")
        for (width, height) in [(640, 480), (1920, 1080)] {
            let photo = Self.syntheticPhoto(width: width, height: height)
            print("\(width)x\(height)")
            print("  format         file KB  decode ms  preprocess ms  decode+preprocess ms  object crop ms  header ms")
            let files: [(name: String, suffix: String, data: Data)] = [
                ("JPEG", "jpg", try JPEG.encode(photo, quality: quality)),
                ("PNG", "png", try PNG.encode(photo)),
                ("WebP lossy", "webp", try WebP.encode(photo, quality: 80)),
                ("WebP lossless", "lossless.webp", try WebP.encode(photo, lossless: true)),
            ]
            for file in files {
                let url = folder.appendingPathComponent("photo-\(width)x\(height).\(file.suffix)")
                try file.data.write(to: url)
                try bench(file.name, url: url, bytes: file.data.count, width: width, height: height,
                          preprocessor: preprocessor, details: file.name == "JPEG")
            }
        }
    }

    /// Prints one format's row: decode, preprocess, both, an object crop and the header read; for `details`
    /// also thread CPU times, the file -> tensor path and the batch loader.
    private func bench(
        _ name: String, url: URL, bytes: Int, width: Int, height: Int, preprocessor: CLIPPreprocessor, details: Bool
    ) throws {
        let image = try Picture.decode(contentsOf: url)
        let box = PixelBox(x1: width / 5, y1: height / 4, x2: width * 3 / 5, y2: height * 9 / 10)
        let decode = try median { _ = try Picture.decode(contentsOf: url) }
        let preprocess = try median { _ = try preprocessor.tensor(for: image) }
        let both = try median { _ = try preprocessor.tensor(for: Picture.decode(contentsOf: url)) }
        let crop = try median { _ = try preprocessor.objectTensor(for: image, box: box) }
        let header = try median { _ = try Picture.readSize(contentsOf: url) }
        // Padded in Swift: Foundation's String(format:) on Linux ignores the width of %@.
        print("  " + name.padding(toLength: 13, withPad: " ", startingAt: 0)
            + String(format: " %8d %10.2f %14.2f %21.2f %15.2f %10.3f", bytes / 1024,
                     decode, preprocess, both, crop, header))
        let cpuDecode = try median(clock: CLOCK_THREAD_CPUTIME_ID) { _ = try Picture.decode(contentsOf: url) }
        let cpuBoth = try median(clock: CLOCK_THREAD_CPUTIME_ID) {
            _ = try preprocessor.tensor(for: Picture.decode(contentsOf: url))
        }
        print(String(format: "    thread CPU time (unaffected by other load): decode %.2f ms, decode+preprocess %.2f ms",
                     cpuDecode, cpuBoth))
        guard details else { return }
        let region = try median { _ = try preprocessor.tensor(contentsOf: url) }
        let cpuRegion = try median(clock: CLOCK_THREAD_CPUTIME_ID) { _ = try preprocessor.tensor(contentsOf: url) }
        print(String(format: "    file -> tensor decoding only the pixels the resize reads: %.2f ms (thread CPU %.2f ms)",
                     region, cpuRegion))
        let count = 16
        let urls = [URL](repeating: url, count: count)
        for workers in [1, 2] {
            let loader = ParallelImageLoader(preprocessor: preprocessor, workers: workers)
            let total = try median(runs: max(1, iterations / 4)) { _ = try loader.batch(urls) }
            print(String(format: "    batch of %d with %d worker(s): %.2f ms per image", count, workers, total / Double(count)))
        }
    }

    /// Median time of `body` in milliseconds on `clock` (wall time by default).
    private func median(runs: Int? = nil, clock: clockid_t = CLOCK_MONOTONIC, _ body: () throws -> Void) throws -> Double {
        func now() -> Double {
            var t = timespec()
            clock_gettime(clock, &t)
            return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
        }
        try body()  // warm-up
        var times: [Double] = []
        for _ in 0..<(runs ?? iterations) {
            let start = now()
            try body()
            times.append(now() - start)
        }
        return times.sorted()[times.count / 2]
    }

    /// Photo-like content: sky/ground gradients, soft blobs, hard-edged boxes and sensor noise.
    static func syntheticPhoto(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 59) & 15) - 8
        }
        let blobs = (0..<6).map { i in
            (x: Double((i * 7919) % width), y: Double((i * 104_729) % height), r: Double(min(width, height)) / Double(4 + i))
        }
        for y in 0..<height {
            let fy = Double(y) / Double(height)
            for x in 0..<width {
                let fx = Double(x) / Double(width)
                let horizon = 0.45 + 0.1 * sin(6 * fx)
                var rgb: [Double] = fy < horizon
                    ? [90 + 80 * fy + 30 * fx, 140 + 60 * fy, 220 - 40 * fy]
                    : [70 + 60 * (1 - fy) + 20 * fx, 110 + 40 * fx, 40 + 20 * fy]
                for (i, blob) in blobs.enumerated() {
                    let d = ((Double(x) - blob.x) * (Double(x) - blob.x) + (Double(y) - blob.y) * (Double(y) - blob.y)).squareRoot()
                    let weight = max(0, 1 - d / blob.r)
                    rgb[i % 3] += 120 * weight * weight
                }
                if (x / 97 + y / 61) % 9 == 0 { rgb = [rgb[2], rgb[0], rgb[1]] }  // hard-edged patches
                let base = (y * width + x) * 3
                for c in 0..<3 { image.pixels[base + c] = UInt8(max(0, min(255, Int(rgb[c]) + noise()))) }
            }
        }
        return image
    }
}
