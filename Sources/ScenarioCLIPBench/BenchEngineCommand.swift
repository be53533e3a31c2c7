import ArgumentParser
import CLIP
import CommandSupport
import Foundation
import Numerics
import Synthetic
import Weights

/// `scenarioclip bench engine`: CLIP towers at ViT-B/32 shapes with random weights.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "CLIP towers at ViT-B/32 shapes with random weights.",
        discussion: """
            Builds a CLIPModel with openai/clip-vit-base-patch32's shapes and random float32 weights (each tensor \
            generated as the model reads it; on the kernel path each layer is packed into panels, and its source \
            dropped, on its first product), times the first run of each tower (which pays that packing), then times \
            the vision tower on 224x224 images at batch 1 and 16 (per image) and the text tower on an 8-token and \
            a 77-token text (median of the timed runs after one warm-up), and reports the process's peak resident \
            memory (VmHWM) against the weight bytes. It prints the kernel level that ran (the CPU's best unless \
            --kernels sets a lower one); --products blas times the OpenBLAS path instead of the C kernels; --float16 \
            also times the opt-in half-precision weight mode and prints its cosine to the float32 features; \
            --huge-pages puts the packed weights on transparent huge pages. --precision bf16 (or float16) converts \
            the weights before the first run and times that model instead, prints the same table, which bfloat16 \
            kernel ran (--bf16-kernel forces one) and its cosine to the float32 features.
            """)

    @Option(help: "Threads for matrix products and element-wise kernels.")
    var threads = 2

    @Option(help: "Timed repetitions per measurement (the median is reported; batch 16 uses half, at least 4).")
    var iterations = 10

    @Option(help: "Matrix products (linear layers and attention): \(Linear.ProductPath.allCases.map(\.rawValue).joined(separator: ", ")).")
    var products = Linear.ProductPath.kernel

    @Option(help: "With --products blas, products of at most \(Linear.matrixVectorRowLimit) rows: \(Linear.FewRowsPath.allCases.map(\.rawValue).joined(separator: ", ")).")
    var fewRows = Linear.FewRowsPath.kernel

    @Option(help: "Highest kernel level: \(KernelLevel.allCases.map(\.rawValue).joined(separator: ", ")) (default: the CPU's best, \(KernelLevel.detected.rawValue) here).")
    var kernels = KernelLevel.detected

    @Flag(help: "Also time the opt-in float16 weight mode (after the float32 figures and their peak memory).")
    var float16 = false

    @OptionGroup var precision: PrecisionOptions

    @Option(help: ArgumentHelp(
        "With --precision bf16: auto (the faster of the kernels CPUID allows, timed once), dpbf16 (vdpbf16ps, also where a hypervisor hides it "
            + "from CPUID but the CPU runs it), avx512, avx2 or portable.", valueName: "kernel"))
    var bf16Kernel = "auto"

    @Flag(help: "Ask Linux for transparent huge pages for the packed weights (PanelArena.advisesHugePages).")
    var hugePages = false

    func validate() throws {
        guard bf16Kernel == "auto" || Self.bfloat16Kernels[bf16Kernel] != nil else {
            throw ValidationError("--bf16-kernel must be auto or one of \(Self.bfloat16Kernels.keys.sorted())")
        }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
    }

    func run() throws {
        try KernelLevel.withCeiling(kernels) {
            try Parallel.withThreads(threads) {
                try Linear.withProducts(Linear.ProductChoice(path: products, fewRows: fewRows)) {
                    guard let kernel = Self.bfloat16Kernels[bf16Kernel] else { return try measure() }
                    guard kernel.runsHere else {
                        throw ValidationError("--bf16-kernel \(bf16Kernel): this CPU does not run \(kernel)")
                    }
                    try BFloat16Kernel.withKernel(kernel) { try measure() }
                }
            }
        }
    }

    private func measure() throws {
        BLAS.threadCount = threads
        PanelArena.shared.advisesHugePages = hugePages
        let config = CLIPConfig()
        let buildStart = DispatchTime.now().uptimeNanoseconds
        let precision = self.precision.precision
        let (model, weightBytes) = try Self.randomModel(config, precision: precision)
        let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1e9
        let vision = model.vision!, text = model.text!
        let loadedPeak = ProcessMemory.peakResidentBytes ?? 0
        print("bench engine: ViT-B/32 shapes, random float32 weights, \(threads) thread(s), median of \(iterations) runs, "
              + "products via \(products.rawValue)\(products == .blas ? " (few rows via \(fewRows.rawValue))" : " (\(KernelLevel.current.rawValue): \(KernelLevel.current.summary))")")
        print(String(format: "weights %.1f MB (vision %@, text %@ layers), model built in %.2f s (random weights generated)",
                     Double(weightBytes) / 1e6, "\(config.visionConfig.numHiddenLayers)",
                     "\(config.textConfig.numHiddenLayers)", buildSeconds))
        if precision != .float32 {
            print("linear weights stored as \(precision.argumentName)"
                  + (precision == .bfloat16 ? ", products on \(BFloat16Kernel.current) (CPUID reports \(BFloat16Kernel.reported); timed fastest \(BFloat16Kernel.fastest))" : "")
                  + "; loaded from a temporary file as a model file loads; peak memory below is against the float32 weight bytes")
        }

        let image1 = Tensor.randomNormal(shape: [1, 3, 224, 224], seed: 11)
        let image16 = Tensor.randomNormal(shape: [16, 3, 224, 224], seed: 12)
        // "a photo of a dog ." style ids: start, 6 words, end, then padding (the tower stops at the end token).
        let short: [Int32] = [49406, 320, 1125, 539, 320, 1929, 269, 49407] + [Int32](repeating: 0, count: 69)
        let long: [Int32] = [49406] + (0..<75).map { Int32(320 + $0) } + [49407]
        let firstImage = Self.median(runs: 0) { _ = vision.pooled(image1) }
        let firstText = Self.median(runs: 0) { _ = text.pooled([short]) }
        print(String(format: "first run: image, batch 1 %.2f ms; text, 8 tokens %.2f ms%@", firstImage, firstText,
                     products == .kernel ? " (each packs its tower's weights)" : ""))
        if hugePages {
            print(String(format: "transparent huge pages in use: %.0f MB", Double(ProcessMemory.anonymousHugePageBytes ?? 0) / 1e6))
        }
        let batch1 = Self.median(runs: iterations) { _ = vision.pooled(image1) }
        // Half as many batches of 16 (each ~0.7 s), but at least 4: a median of 5 swung by 3 ms with the VM's load.
        let batch16 = Self.median(runs: max(4, iterations / 2)) { _ = vision.pooled(image16) } / 16
        let text8 = Self.median(runs: iterations * 2) { _ = text.pooled([short]) }
        let text77 = Self.median(runs: iterations) { _ = text.pooled([long]) }
        let peak = ProcessMemory.peakResidentBytes ?? 0

        print("measurement                 ms      target")
        print(String(format: "image, batch 1          %8.2f   ≤ 50", batch1))
        print(String(format: "image, batch 16 (each)  %8.2f   ≤ 45", batch16))
        print(String(format: "text, 8 tokens          %8.2f   ≤ 6", text8))
        print(String(format: "text, 77 tokens         %8.2f   ≤ 30", text77))
        print(String(format: "peak memory (VmHWM)     %8.1f MB = %.2f × weights (after loading %.2f ×), target ≤ 1.2 ×",
                     Double(peak) / 1e6, Double(peak) / Double(weightBytes), Double(loadedPeak) / Double(weightBytes)))
        if precision != .float32 {
            // The float32 model again (same seed), after the peak: the features' cosine on the same inputs.
            let full = try Self.randomModel(config).0
            let cosines = [
                (try full.imageFeatures(image16), try model.imageFeatures(image16)),
                (try full.textFeatures([short]), try model.textFeatures([short])),
                (try full.textFeatures([long]), try model.textFeatures([long])),
            ].map { pair in (0..<pair.0.rowCount).map { pair.0.gatherRows([$0]).cosineSimilarity(pair.1.gatherRows([$0])) }.min()! }
            print(String(format: "lowest cosine to the float32 features: image (16) %.6f, 8 tokens %.6f, 77 tokens %.6f",
                         cosines[0], cosines[1], cosines[2]))
        }
        guard float16 else { return }

        // The opt-in mode: encoder and projection weights rounded to half precision, float32 arithmetic.
        let half = model.converted(to: .float16)
        let halfVision = half.vision!, halfText = half.text!
        let halfBatch1 = Self.median(runs: iterations) { _ = halfVision.pooled(image1) }
        let halfText8 = Self.median(runs: iterations * 2) { _ = halfText.pooled([short]) }
        let halfText77 = Self.median(runs: iterations) { _ = halfText.pooled([long]) }
        let cosines = [
            (try model.imageFeatures(image1), try half.imageFeatures(image1)),
            (try model.textFeatures([short]), try half.textFeatures([short])),
            (try model.textFeatures([long]), try half.textFeatures([long])),
        ].map { $0.0.cosineSimilarity($0.1) }
        print("float16 weights (opt-in; float32 arithmetic), same inputs:")
        print(String(format: "image, batch 1          %8.2f   ≤ 50", halfBatch1))
        print(String(format: "text, 8 tokens          %8.2f   ≤ 6", halfText8))
        print(String(format: "text, 77 tokens         %8.2f   ≤ 30", halfText77))
        print(String(format: "1 − cosine to the float32 features: image %.1e, 8 tokens %.1e, 77 tokens %.1e",
                     1 - cosines[0], 1 - cosines[1], 1 - cosines[2]))
    }

    /// A ViT-B/32 `CLIPModel` over random weights and their float32 bytes. For float32 each tensor is generated as
    /// the model reads it, so the model holds the only copy (packed for the product kernel when that is the path in
    /// use). With another `precision` the model loads as a model file does: the float32 weights are written to a
    /// temporary safetensors file, mapped, and each layer converted with its pages dropped; the peak memory is
    /// reset once the file is written, so the figures after it are the load's and the runs', not the generator's.
    static func randomModel(_ config: CLIPConfig, precision: Linear.Precision = .float32) throws -> (CLIPModel, Int) {
        let archive = CLIPRandomWeights.archive(for: config, seed: 1)
        let bytes = archive.tensorNames.reduce(0) { $0 + archive.info($1)!.elementCount * MemoryLayout<Float>.stride }
        guard precision != .float32 else { return (try CLIPModel(config: config, archive: archive), bytes) }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("bench-engine-\(ProcessInfo.processInfo.processIdentifier).safetensors")
        do {
            var writer = SafeTensorsWriter()
            for name in archive.tensorNames { try writer.add(name, try archive.tensor(name)) }
            try writer.write(to: url)
        }
        defer { try? FileManager.default.removeItem(at: url) }  // the mapping keeps the data while it is open
        let file = try SafeTensorsFile(url: url)
        ProcessMemory.resetPeak()
        return (try CLIPModel(config: config, archive: file).converted(to: precision), bytes)
    }

    /// `--bf16-kernel` values.
    static let bfloat16Kernels: [String: BFloat16Kernel] = [
        "dpbf16": .dpbf16, "avx512": .avx512, "avx2": .avx2, "portable": .portable,
    ]

    /// Median wall time of `runs` calls in milliseconds, after one warm-up call (with `runs` 0: the time of that
    /// one call).
    static func median(runs: Int, _ body: () -> Void) -> Double {
        guard runs > 0 else {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        body()
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }
}
