import BundledAssets
import CLIP
import Foundation
import Imaging
import Numerics
import Weights

/// Opens any supported model file and builds its ``SceneEmbedder``.
///
/// Formats: a Lightning `.ckpt` (weights under `state_dict`, prefix `model.`), a plain `.pt`/`.pth` state dict
/// (e.g. `*_ema_teacher.pt`, no prefix), our single-file safetensors (``ScenarioModelFile``), a safetensors
/// state dict in the reference layout, and a Hugging Face folder (`config.json` + `model.safetensors`) holding
/// a `CLIPModel`. The architecture is detected from the tensor names; tower shapes are inferred from tensors
/// with the settings of ``TowerOverrides``.
public enum ScenarioModelLoader {
    /// Path of the bundled demo model inside `Assets/`.
    public static let bundledModelPath = "model/scenarioclip-demo.safetensors"

    /// Opens and builds the model at `url`.
    /// - Parameter preferEMA: use the EMA teacher when there is one: `<stem>_ema_teacher.pt` beside a `.ckpt`, or
    ///   the checkpoint's own `ema.teacher_state`; otherwise the trained weights (noted in ``ScenarioCheckpoint/notes``).
    /// - Parameter precision: how the linear weights are stored (``ScenarioCheckpoint/makeEmbedder(precision:)``).
    public static func load(
        url: URL, preferEMA: Bool = false, overrides: TowerOverrides = TowerOverrides(),
        precision: Linear.Precision = .float32
    ) throws -> any SceneEmbedder {
        try open(url: url, preferEMA: preferEMA, overrides: overrides).makeEmbedder(precision: precision)
    }

    /// The bundled demo model (`Assets/model/scenarioclip-demo.safetensors`, found by `AssetLocator`).
    public static func bundled(precision: Linear.Precision = .float32) throws -> any SceneEmbedder {
        try load(url: try AssetLocator.url(for: bundledModelPath), precision: precision)
    }

    /// Opens and checks the model at `url` without building it (for inspection and conversion).
    public static func open(url: URL, preferEMA: Bool = false, overrides: TowerOverrides = TowerOverrides()) throws
        -> ScenarioCheckpoint
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ScenarioModelError.unsupportedFile(path: url.path, reason: "no such file or folder")
        }
        if isDirectory.boolValue { return try openFolder(url, overrides: overrides) }
        if url.pathExtension.lowercased() == "safetensors" {
            return try openSafeTensors(url, overrides: overrides)
        }
        return try openTorch(url, preferEMA: preferEMA, overrides: overrides)
    }

    // MARK: Formats

    private static func openTorch(_ url: URL, preferEMA: Bool, overrides: TowerOverrides) throws -> ScenarioCheckpoint {
        var fileURL = url
        var variant: String
        var notes: [String] = []
        var modelPrefix: String?
        let isTeacherFile = url.deletingPathExtension().lastPathComponent.hasSuffix("_ema_teacher")
        if preferEMA, !isTeacherFile {
            let sibling = URL(fileURLWithPath: url.deletingPathExtension().path + "_ema_teacher.pt")
            if FileManager.default.fileExists(atPath: sibling.path) { fileURL = sibling }
        }
        var checkpoint = try TorchCheckpoint(contentsOf: fileURL)
        if fileURL != url {
            variant = "EMA teacher (\(fileURL.lastPathComponent), beside \(url.lastPathComponent))"
        } else if isTeacherFile {
            variant = "EMA teacher state dict"
        } else if preferEMA, case .dict? = checkpoint.root.value(at: ["ema", "teacher_state"]) {
            checkpoint = try checkpoint.selecting(["ema", "teacher_state"])
            variant = "EMA teacher (ema.teacher_state inside the checkpoint)"
        } else if preferEMA, checkpoint.tensorNames.contains(where: { $0.hasPrefix("ema.teacher.") }) {
            // ScenarioCLIP1 registers its EMAWrapper as a submodule: the teacher's weights sit in state_dict too.
            modelPrefix = "ema.teacher."
            variant = "EMA teacher (ema.teacher.* inside the checkpoint's state_dict)"
        } else {
            variant = checkpoint.stateDictPath == ["state_dict"] ? "Lightning checkpoint (state_dict)" : "state dict"
            if preferEMA { notes.append("no EMA teacher found beside or inside the checkpoint; using the trained weights") }
        }
        var hyper = TowerOverrides()
        // Hyper-parameters live in the Lightning checkpoint (the EMA file has none: read its .ckpt's if present).
        var hyperSource: TorchCheckpoint? = checkpoint.stateDictPath == ["state_dict"] ? checkpoint : nil
        if hyperSource == nil, fileURL != url { hyperSource = try? TorchCheckpoint(contentsOf: url) }
        if let root = hyperSource?.root {
            hyper = TowerOverrides.from(
                visionConfig: plain(root.value(at: ["hyper_parameters", "vision_config"])) as? [String: Any],
                textConfig: plain(root.value(at: ["hyper_parameters", "text_config"])) as? [String: Any])
            if !hyper.isEmpty { notes.append("tower settings from the checkpoint's hyper_parameters") }
        }
        return try assemble(
            url: fileURL, archive: checkpoint, variant: variant, notes: notes, overrides: overrides,
            sidecarFor: fileURL, hyper: hyper, modelPrefix: modelPrefix)
    }

    private static func openSafeTensors(_ url: URL, overrides: TowerOverrides) throws -> ScenarioCheckpoint {
        let file = try SafeTensorsFile(url: url)
        let source = url.path
        if file.metadata["format"] == ScenarioModelFile.formatName {
            guard let archName = file.metadata["architecture"], let architecture = ScenarioArchitecture(rawValue: archName)
            else {
                throw ScenarioModelError.invalidConfig(
                    source: source, reason: "metadata 'architecture' is \(file.metadata["architecture"] ?? "absent"); expected three_level, one_level or hf_clip")
            }
            guard let v = file.metadata["vision_config"], let t = file.metadata["text_config"],
                let p = file.metadata["preprocess"]
            else {
                throw ScenarioModelError.invalidConfig(source: source, reason: "metadata lacks vision_config, text_config or preprocess")
            }
            let vision = try TowerConfigDescription.vision(v, source: source)
            let text = try TowerConfigDescription.text(t, source: source)
            // The file's configs are its own description; a head count given for it must agree with them.
            for (given, stored, tower) in [(overrides.visionHeads, vision.numAttentionHeads, "vision"),
                                           (overrides.textHeads, text.numAttentionHeads, "text")] {
                if let given, given != stored {
                    throw ScenarioModelError.invalidConfig(
                        source: source,
                        reason: "the file stores \(stored) \(tower) attention heads in its config; --\(tower)-heads \(given) disagrees "
                            + "(leave it out for a ScenarioCLIP .safetensors file)")
                }
            }
            var clip: CLIPConfig?
            if architecture == .huggingFaceCLIP {
                clip = CLIPConfig(visionConfig: vision, textConfig: text,
                                  projectionDim: Int(file.metadata["projection_dim"] ?? "") ?? 512)
            }
            return try ScenarioCheckpoint(
                url: url, architecture: architecture, archive: CanonicalTensorArchive(file, prefix: ""), ignoredKeys: [],
                visionConfig: vision, textConfig: text, clipConfig: clip,
                preprocess: try ScenarioModelFile.preprocess(p, source: source),
                variant: "ScenarioCLIP safetensors (format \(file.metadata["format_version"] ?? "?"))", notes: [])
        }
        return try assemble(
            url: url, archive: file, variant: "safetensors state dict", notes: [], overrides: overrides,
            sidecarFor: url, hyper: TowerOverrides())
    }

    /// A Hugging Face folder's image transform: its `preprocessor_config.json` (size, mean, std, and
    /// `do_center_crop: false` as the stretch fit) when present, else OpenAI CLIP's at the tower's image size.
    /// - Throws: the reader's error naming the file, or ``ScenarioModelError/invalidConfig(source:reason:)`` when its
    ///   size is not the vision tower's.
    public static func folderPreprocess(_ url: URL, imageSize: Int) throws -> PreprocessConfig {
        let file = url.appendingPathComponent("preprocessor_config.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return .clip(imageSize: imageSize) }
        let config = try CLIPPreprocessConfig(huggingFacePreprocessorConfig: Data(contentsOf: file), source: file.path)
        guard config.imageSize == imageSize else {
            throw ScenarioModelError.invalidConfig(
                source: file.path, reason: "images are resized to \(config.imageSize) px but the vision tower takes \(imageSize) px")
        }
        return config
    }

    private static func openFolder(_ url: URL, overrides: TowerOverrides) throws -> ScenarioCheckpoint {
        let folder = try HuggingFaceFolder(url: url)
        let config = try CLIPConfig.decode(try folder.configData(), source: folder.configURL.path)
        let archive = try folder.openWeights()
        let canonical = CanonicalTensorArchive(archive, prefix: "")
        if ScenarioArchitecture.detect(Set(canonical.tensorNames)) == .huggingFaceCLIP {
            guard config.kind == .model else {
                throw ScenarioModelError.unsupportedFile(
                    path: url.path, reason: "config.json describes a single tower; a CLIPModel (both towers) is needed")
            }
            return try ScenarioCheckpoint(
                url: url, architecture: .huggingFaceCLIP, archive: canonical, ignoredKeys: [],
                visionConfig: config.visionConfig, textConfig: config.textConfig, clipConfig: config,
                preprocess: try folderPreprocess(url, imageSize: config.visionConfig.imageSize),
                variant: "Hugging Face CLIPModel folder", notes: [])
        }
        return try assemble(
            url: url, archive: archive, variant: "safetensors state dict in a folder", notes: [], overrides: overrides,
            sidecarFor: url.appendingPathComponent("model.safetensors"), hyper: TowerOverrides())
    }

    // MARK: Shared

    /// Strips `model.` when present, detects the architecture, infers tower configs and checks every key.
    private static func assemble(
        url: URL, archive: any TensorArchive, variant: String, notes: [String], overrides: TowerOverrides,
        sidecarFor: URL, hyper: TowerOverrides, modelPrefix: String? = nil
    ) throws -> ScenarioCheckpoint {
        var notes = notes
        let source = archive.sourceDescription
        let prefixed = archive.tensorNames.contains { $0.hasPrefix("model.") }
            && ScenarioArchitecture.detect(Set(archive.tensorNames.filter { $0.hasPrefix("model.") }.map { String($0.dropFirst(6)) })) != nil
        let canonical = CanonicalTensorArchive(archive, prefix: modelPrefix ?? (prefixed ? "model." : ""))
        let names = Set(canonical.tensorNames)
        guard let architecture = ScenarioArchitecture.detect(names) else {
            throw ScenarioModelError.unknownArchitecture(source: source, sample: Array(archive.tensorNames.prefix(8)))
        }
        let (sidecar, sidecarURL) = try readSidecar(for: sidecarFor)
        if let sidecarURL { notes.append("tower settings from \(sidecarURL.lastPathComponent)") }
        let settings = overrides.filling(from: sidecar?.overrides ?? TowerOverrides()).filling(from: hyper)
        if architecture == .huggingFaceCLIP {
            guard let clip = sidecar?.clip else {
                throw ScenarioModelError.unsupportedFile(
                    path: url.path, reason: "a Hugging Face CLIPModel needs its config.json; open its folder instead")
            }
            return try ScenarioCheckpoint(
                url: url, architecture: .huggingFaceCLIP, archive: canonical, ignoredKeys: canonical.ignoredNames,
                visionConfig: clip.visionConfig, textConfig: clip.textConfig, clipConfig: clip,
                preprocess: .clip(imageSize: clip.visionConfig.imageSize), variant: variant, notes: notes)
        }
        let layout = ScenarioKeyLayout.detect(names, levelPrefix: architecture.levelPrefix(.global))
        let level = architecture.levelPrefix(.global)
        let vision = try TowerConfigInference.vision(canonical, prefix: layout.visionPrefix(level), overrides: settings)
        let text = try TowerConfigInference.text(canonical, prefix: layout.textPrefix(level), overrides: settings)
        if settings.visionHeads == nil || settings.textHeads == nil {
            notes.append("attention heads defaulted to width / 64 where not given (vision \(vision.numAttentionHeads), text \(text.numAttentionHeads))")
        }
        return try ScenarioCheckpoint(
            url: url, architecture: architecture, archive: canonical, ignoredKeys: canonical.ignoredNames,
            visionConfig: vision, textConfig: text, preprocess: .clip(imageSize: vision.imageSize), variant: variant,
            notes: notes)
    }

    private struct Sidecar {
        var overrides: TowerOverrides
        var clip: CLIPConfig?
    }

    /// The first of `<stem>.config.json`, `<stem without _ema_teacher>.config.json`, `config.json` beside `file`.
    private static func readSidecar(for file: URL) throws -> (Sidecar?, URL?) {
        let dir = file.deletingLastPathComponent()
        let stem = file.deletingPathExtension().lastPathComponent
        var candidates = [dir.appendingPathComponent(stem + ".config.json")]
        if stem.hasSuffix("_ema_teacher") {
            candidates.append(dir.appendingPathComponent(String(stem.dropLast("_ema_teacher".count)) + ".config.json"))
        }
        candidates.append(dir.appendingPathComponent("config.json"))
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            return (nil, nil)
        }
        let data: Data
        do { data = try Data(contentsOf: found) } catch {
            throw ScenarioModelError.invalidConfig(source: found.path, reason: "cannot read: \(error.localizedDescription)")
        }
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ScenarioModelError.invalidConfig(source: found.path, reason: "not a JSON object")
        }
        let overrides = TowerOverrides.from(
            visionConfig: json["vision_config"] as? [String: Any], textConfig: json["text_config"] as? [String: Any])
        let clip = json["vision_config"] != nil && json["text_config"] != nil
            ? try? CLIPConfig.decode(data, source: found.path) : nil
        return (Sidecar(overrides: overrides, clip: clip), found)
    }

    /// A pickle value as plain Swift values (dictionaries, arrays, numbers, strings) for config reading.
    /// Depth-limited, each list or dictionary converted once (a repeated one becomes `nil`) and at most 100,000
    /// values visited: neither a self-referencing pickle nor one reusing memoised containers (or tuples) makes
    /// it recurse without bound.
    static func plain(_ value: PickleValue?) -> Any? {
        var visited = Set<ObjectIdentifier>()
        var remaining = 100_000
        return plain(value, depth: 0, visited: &visited, remaining: &remaining)
    }

    private static func plain(
        _ value: PickleValue?, depth: Int, visited: inout Set<ObjectIdentifier>, remaining: inout Int
    ) -> Any? {
        guard let value, depth < 8, remaining > 0 else { return nil }
        remaining -= 1
        switch value {
        case .int(let i): return i
        case .float(let f): return f
        case .bool(let b): return b
        case .string(let s): return s
        case .tuple(let items): return items.map { plain($0, depth: depth + 1, visited: &visited, remaining: &remaining) as Any }
        case .list(let l):
            guard visited.insert(ObjectIdentifier(l)).inserted else { return nil }
            return l.items.map { plain($0, depth: depth + 1, visited: &visited, remaining: &remaining) as Any }
        case .dict(let d):
            guard visited.insert(ObjectIdentifier(d)).inserted else { return nil }
            var out: [String: Any] = [:]
            for (k, v) in d.entries {
                if let key = k.stringKey { out[key] = plain(v, depth: depth + 1, visited: &visited, remaining: &remaining) }
            }
            return out
        default: return nil
        }
    }
}
