import CLIP
import Foundation
import Numerics
import Weights

/// A model file opened and checked: its architecture, tower configs, preprocessing and tensors under canonical
/// names (the reference layout without Lightning's `model.` prefix). ``makeEmbedder()`` builds the model.
public final class ScenarioCheckpoint: @unchecked Sendable {
    /// The file or folder read.
    public let url: URL
    public let architecture: ScenarioArchitecture
    /// Tensors under canonical names (`global_visual_encoder.vision_model.…`, `vision_model.…` for Hugging Face).
    public let archive: any TensorArchive
    /// The tensors the model uses (sorted canonical names): what conversion writes and the fingerprint hashes.
    public let modelTensorNames: [String]
    /// Entries of the file that are not model weights (loss temperatures, `position_ids` buffers, …).
    public let ignoredKeys: [String]
    /// Configuration of every vision tower (all levels share it, as in the reference).
    public let visionConfig: CLIPVisionConfig
    /// Configuration of every text tower.
    public let textConfig: CLIPTextConfig
    /// Hugging Face CLIP only: its full config (projection width).
    public let clipConfig: CLIPConfig?
    public let preprocess: PreprocessConfig
    /// What was read, e.g. `Lightning checkpoint (state_dict)` or `EMA teacher (x_ema_teacher.pt)`.
    public let variant: String
    /// Where settings that tensors do not reveal came from (sidecar, hyper-parameters, defaults).
    public let notes: [String]
    let layout: ScenarioKeyLayout

    private let lock = NSLock()
    private var cachedFingerprint: String?

    /// A model held in `archive` under canonical names (e.g. freshly trained weights), checked like a file.
    /// - Throws: ``ScenarioModelError/missingKeys(source:names:)`` / `unexpectedKeys` naming the tensors.
    public convenience init(
        archive: any TensorArchive, architecture: ScenarioArchitecture, visionConfig: CLIPVisionConfig,
        textConfig: CLIPTextConfig, preprocess: PreprocessConfig? = nil,
        url: URL = URL(fileURLWithPath: "in-memory"), variant: String = "in-memory weights"
    ) throws {
        try self.init(
            url: url, architecture: architecture, archive: archive, ignoredKeys: [], visionConfig: visionConfig,
            textConfig: textConfig,
            clipConfig: architecture == .huggingFaceCLIP ? CLIPConfig(visionConfig: visionConfig, textConfig: textConfig) : nil,
            preprocess: preprocess ?? .clip(imageSize: visionConfig.imageSize), variant: variant, notes: [])
    }

    init(
        url: URL, architecture: ScenarioArchitecture, archive: any TensorArchive, ignoredKeys: [String],
        visionConfig: CLIPVisionConfig, textConfig: CLIPTextConfig, clipConfig: CLIPConfig? = nil,
        preprocess: PreprocessConfig, variant: String, notes: [String]
    ) throws {
        // Bounds first: every key list, tensor and picture below is sized by these fields.
        try Self.checkBounds(visionConfig, textConfig, clipConfig, preprocess, source: url.path)
        self.url = url
        self.architecture = architecture
        self.archive = archive
        self.visionConfig = visionConfig
        self.textConfig = textConfig
        self.clipConfig = clipConfig
        self.preprocess = preprocess
        self.variant = variant
        self.notes = notes
        let names = Set(archive.tensorNames)
        layout = ScenarioKeyLayout.detect(names, levelPrefix: architecture.levelPrefix(.global))
        var ignored = ignoredKeys
        if architecture == .huggingFaceCLIP {
            let used = archive.tensorNames.filter { !TowerConfigInference.isIgnorableBuffer($0) }
            ignored += archive.tensorNames.filter { TowerConfigInference.isIgnorableBuffer($0) }
            modelTensorNames = used.sorted()
        } else {
            // Every key the reference module has, compared with what the file holds, by name.
            var expected: [String] = []
            for level in architecture.storedLevels {
                let p = architecture.levelPrefix(level)
                expected += TowerConfigInference.visionKeys(visionConfig, prefix: layout.visionPrefix(p))
                expected += TowerConfigInference.textKeys(textConfig, prefix: layout.textPrefix(p))
                for head in ["image_projection", "text_projection", "image_norm", "text_norm"] {
                    expected += [p + head + ".weight", p + head + ".bias"]
                }
            }
            let expectedSet = Set(expected)
            let missing = expected.filter { !names.contains($0) }
            if !missing.isEmpty {
                throw ScenarioModelError.missingKeys(source: archive.sourceDescription, names: missing)
            }
            let buffers = archive.tensorNames.filter { TowerConfigInference.isIgnorableBuffer($0) }
            let unexpected = archive.tensorNames.filter { !expectedSet.contains($0) && !TowerConfigInference.isIgnorableBuffer($0) }
            if !unexpected.isEmpty {
                throw ScenarioModelError.unexpectedKeys(source: archive.sourceDescription, names: unexpected)
            }
            ignored += buffers
            modelTensorNames = expected.sorted()
        }
        self.ignoredKeys = ignored
    }

    /// Every config field within ``CLIPConfig``'s bounds, widths divisible by heads, and the picture size the
    /// vision tower takes.
    /// - Throws: ``CLIPError/invalidConfig(source:reason:)`` or ``ScenarioModelError/invalidConfig(source:reason:)``
    ///   naming the file and the field.
    static func checkBounds(
        _ vision: CLIPVisionConfig, _ text: CLIPTextConfig, _ clip: CLIPConfig?, _ preprocess: PreprocessConfig,
        source: String
    ) throws {
        try (clip ?? CLIPConfig(visionConfig: vision, textConfig: text)).validate(source: source)
        if let clip, clip.visionConfig != vision || clip.textConfig != text {
            try CLIPConfig(visionConfig: vision, textConfig: text, projectionDim: clip.projectionDim).validate(source: source)
        }
        guard preprocess.imageSize == vision.imageSize else {
            throw ScenarioModelError.invalidConfig(
                source: source,
                reason: "preprocess image_size is \(preprocess.imageSize) but the vision tower's image_size is \(vision.imageSize)")
        }
    }

    /// The model fingerprint (see ``ModelFingerprint``); computed on first use, then cached.
    public func fingerprint() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let cachedFingerprint { return cachedFingerprint }
        let value = try ModelFingerprint.compute(
            architecture: architecture, visionDescription: TowerConfigDescription.json(visionConfig),
            textDescription: TowerConfigDescription.json(textConfig), archive: archive, names: modelTensorNames,
            preprocess: preprocess)
        cachedFingerprint = value
        return value
    }

    /// Builds the model this checkpoint describes, its linear weights stored in `precision`.
    /// - Throws: errors from the towers (shape mismatches name the tensor) or the fingerprint.
    public func makeEmbedder(precision: Linear.Precision = .float32) throws -> any SceneEmbedder {
        switch architecture {
        case .threeLevel: try ThreeLevelCLIP(checkpoint: self, precision: precision)
        case .oneLevel: try OneLevelCLIP(checkpoint: self, precision: precision)
        case .huggingFaceCLIP: try HuggingFaceCLIPEmbedder(checkpoint: self, precision: precision)
        }
    }

    /// Number of stored elements per part: `vision`/`text` towers (summed over levels) and `heads`.
    public func parameterCounts() -> [(part: String, count: Int)] {
        var vision = 0, text = 0, heads = 0
        for name in modelTensorNames {
            let n = archive.info(name)?.elementCount ?? 0
            if name.contains("visual_encoder.") || name.hasPrefix("vision_model.") { vision += n }
            else if name.contains("text_encoder.") || name.hasPrefix("text_model.") { text += n }
            else { heads += n }
        }
        return [("vision towers", vision), ("text towers", text), ("heads", heads)]
    }

    /// Stored element types with their tensor counts, e.g. `["F32": 1200]`.
    public func dtypeCounts() -> [String: Int] {
        var counts: [String: Int] = [:]
        for name in modelTensorNames { counts[archive.info(name)?.dtype.rawValue ?? "?", default: 0] += 1 }
        return counts
    }

    /// Bytes of the model's weights as Float32.
    public var float32ByteCount: Int {
        modelTensorNames.reduce(0) { $0 + (archive.info($1)?.elementCount ?? 0) * 4 }
    }
}
