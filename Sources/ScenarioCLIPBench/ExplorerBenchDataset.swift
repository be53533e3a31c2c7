import ArgumentParser
import EmbeddingCache
import Foundation
import Imaging
import Numerics
import ScenarioModel
import Scenes

/// A synthetic scene dataset on disk with its SQLite cache already filled, for `bench explorer --cached`:
/// `count` records over 16 generated pictures (two objects each, actions from a small vocabulary) and one
/// random vector per scene and per object, stored under ``BenchTextModel``'s fingerprint with the item rows
/// the workspace joins on (so nothing needs indexing). Written once; reused while the files exist.
struct ExplorerBenchDataset {
    let root: URL
    let cache: URL

    static let subjects = ["person", "dog", "cat", "child", "woman", "man"]
    static let things = ["ball", "cup", "chair", "table", "bicycle", "book", "lamp", "car", "tree"]
    static let predicates = ["holding", "chasing", "next to", "riding", "under", "near"]

    /// Writes (or reuses) `count` scenes in `folder` with `width`-wide vectors for `fingerprint`.
    static func prepare(count: Int, width: Int, fingerprint: String, in folder: URL) throws -> ExplorerBenchDataset {
        let root = folder.appendingPathComponent("explorer-bench-\(count)")
        let cache = folder.appendingPathComponent("explorer-bench-\(count)-\(width).sqlite")
        let dataset = ExplorerBenchDataset(root: root, cache: cache)
        let fm = FileManager.default
        if !fm.fileExists(atPath: root.appendingPathComponent("metadata.json").path) {
            try dataset.writeDataset(count: count)
        }
        if !fm.fileExists(atPath: cache.path) {
            try dataset.writeCache(count: count, width: width, fingerprint: fingerprint)
        }
        return dataset
    }

    /// Writes 16 generated 256×256 JPEG pictures (colour ramps) into `folder`; returns their files.
    static func writePictures(to folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try (0..<16).map { i -> URL in
            var image = RGBImage(width: 256, height: 256)
            for y in 0..<256 {
                for x in 0..<256 {
                    let p = (y * 256 + x) * 3
                    image.pixels[p] = UInt8((x + i * 16) & 255)
                    image.pixels[p + 1] = UInt8((y * 2 + i * 8) & 255)
                    image.pixels[p + 2] = UInt8(((x ^ y) + i * 32) & 255)
                }
            }
            let url = folder.appendingPathComponent("p\(i).jpg")
            try JPEG.write(image, to: url, quality: 85)
            return url
        }
    }

    private func writeDataset(count: Int) throws {
        _ = try Self.writePictures(to: root.appendingPathComponent("images"))
        var text = "{\"data\": [\n"
        text.reserveCapacity(count * 220)
        var rng = SplitMix64(seed: 11)
        for i in 0..<count {
            let (s, p, o) = Self.triple(&rng)
            if i > 0 { text += ",\n" }
            text += """
                {"id": "syn-\(String(format: "%07d", i))", "image_path": "images/p\(i % 16).jpg", "action": "\(s) \(p) a \(o)", \
                "dense_caption": "A synthetic scene: \(s) \(p) a \(o).", \
                "objects": [["\(s)", [20, 40, 120, 180]], ["\(o)", [130, 100, 220, 170]]], "relations": []}
                """
        }
        text += "\n]}"
        try Data(text.utf8).write(to: root.appendingPathComponent("metadata.json"))
        let actions = Self.subjects.flatMap { s in Self.predicates.flatMap { p in Self.things.map { "\(s) \(p) a \($0)" } } }
        let classes: [String: [String]] = [
            "actions": actions, "objects": Self.subjects + Self.things,
            "relations": Self.subjects.flatMap { s in Self.predicates.flatMap { p in Self.things.map { "\(s) \(p) \($0)" } } },
        ]
        try JSONSerialization.data(withJSONObject: classes, options: [.sortedKeys]).write(to: root.appendingPathComponent("classes.json"))
    }

    static func triple(_ rng: inout SplitMix64) -> (String, String, String) {
        (subjects[Int(rng.next() % UInt64(subjects.count))], predicates[Int(rng.next() % UInt64(predicates.count))],
         things[Int(rng.next() % UInt64(things.count))])
    }

    /// One random vector per scene (global) and per object, keyed by synthetic content hashes.
    private func writeCache(count: Int, width: Int, fingerprint: String) throws {
        let store = try EmbeddingCache.open(at: cache)
        var rng = SplitMix64(seed: 5)
        var vector = [Float](repeating: 0, count: width)
        var items: [DatasetItem] = []
        items.reserveCapacity(count * 3)
        let batch = 5_000
        for start in stride(from: 0, to: count, by: batch) {
            try store.write { writer in
                for i in start..<min(start + batch, count) {
                    let id = "syn-\(String(format: "%07d", i))"
                    let hash = ContentHash(hex: String(format: "%016x", i))
                    for j in 0..<width { vector[j] = rng.nextGaussian() }
                    try writer.storeVector(vector, for: .image(hash), fingerprint: fingerprint, level: .global)
                    items.append(DatasetItem(sceneID: id, level: .global, index: 0, key: .image(hash)))
                    for (n, box) in [(20, 40, 120, 180), (130, 100, 220, 170)].enumerated() {
                        let key = ItemKey.crop(hash, x1: box.0, y1: box.1, x2: box.2, y2: box.3)
                        for j in 0..<width { vector[j] = rng.nextGaussian() }
                        try writer.storeVector(vector, for: key, fingerprint: fingerprint, level: .object)
                        items.append(DatasetItem(sceneID: id, level: .object, index: n, key: key))
                    }
                }
            }
        }
        try store.write { try $0.replaceAllItems(items) }
    }
}

/// The bundled model's text towers with no image tower: text queries are encoded for real, image vectors come
/// from ``ExplorerBenchDataset``'s cache (its own fingerprint keeps them apart from real ones).
final class BenchTextModel: SceneEmbedder, @unchecked Sendable {
    // @unchecked Sendable: holds an immutable reference to a Sendable model.
    let base: any SceneEmbedder
    var fingerprint: String { "explorer-bench/" + base.fingerprint }
    var embeddingWidth: Int { base.embeddingWidth }
    var preprocess: PreprocessConfig { base.preprocess }

    init(base: any SceneEmbedder) { self.base = base }

    func embedTexts(_ texts: [String], level: Level) throws -> Tensor { try base.embedTexts(texts, level: level) }

    func embedImages(_ pixels: Tensor, level: Level) throws -> Tensor {
        throw ValidationError("the explorer bench model has no image tower (its image vectors are synthetic)")
    }
}
