import EmbeddingCache
import Foundation
import Numerics
import ScenarioModel
import Weights

/// Loads embeddings computed elsewhere (e.g. on GPUs by `tools/compute_embeddings.py`) into a dataset's cache.
///
/// Shard format: a `.safetensors` file with one `Float32`/`Float16` matrix per level named `global`, `object`,
/// `relation` (`[n, width]`, any may be absent) and `__metadata__` entries:
/// - `format`: `scenarioclip-embeddings`, `version`: `1`
/// - `keys.global`, `keys.object`, `keys.relation`: JSON arrays of item keys, one per matrix row, built exactly as
///   ``SceneItem/items(of:hash:)`` builds them (`image:<sha256>`, `crop:<sha256>:x1,y1,x2,y2`, `region:<sha256>`)
/// - `checkpoint_sha256` (optional): SHA-256 of the checkpoint file the vectors came from.
/// Vectors are stored under the fingerprint of the model given to the importer, so they mix with `index` output.
public struct EmbeddingImporter {
    /// What one shard held.
    public struct ShardReport: Sendable, Equatable {
        public var file: String
        public var imported: [Level: Int]
    }

    public let cache: EmbeddingCache
    public let model: any SceneEmbedder

    public init(cache: EmbeddingCache, model: any SceneEmbedder) {
        self.cache = cache
        self.model = model
    }

    /// Imports one shard.
    /// - Parameter expectedCheckpointSHA256: when given and the shard names another checkpoint, the shard is refused.
    /// - Throws: ``SceneWorkspaceError/embedding(item:reason:)`` naming the file and field for a bad shard.
    public func importShard(at url: URL, expectedCheckpointSHA256: String? = nil) throws -> ShardReport {
        let file = try SafeTensorsFile(url: url)
        let metadata = file.metadata
        guard metadata["format"] == "scenarioclip-embeddings" else {
            throw SceneWorkspaceError.embedding(
                item: url.path, reason: "not an embeddings shard (metadata 'format' is \(metadata["format"].map { "'\($0)'" } ?? "missing"))")
        }
        guard metadata["version"] == "1" else {
            throw SceneWorkspaceError.embedding(item: url.path, reason: "unsupported shard version '\(metadata["version"] ?? "")'")
        }
        if let expected = expectedCheckpointSHA256, let actual = metadata["checkpoint_sha256"], actual != expected {
            throw SceneWorkspaceError.embedding(
                item: url.path,
                reason: "computed from checkpoint \(actual.prefix(12))…, not the given model's \(expected.prefix(12))…")
        }
        var report = ShardReport(file: url.path, imported: [:])
        var pending: [(Level, Tensor, [ItemKey])] = []
        for level in Level.allCases {
            guard file.info(level.rawValue) != nil else { continue }
            let matrix = try file.tensor(level.rawValue)
            guard matrix.rank == 2, matrix.shape[1] == model.embeddingWidth else {
                throw SceneWorkspaceError.embedding(
                    item: "\(url.path): tensor '\(level.rawValue)'",
                    reason: "shape \(matrix.shape), expected [n, \(model.embeddingWidth)]")
            }
            guard let keyText = metadata["keys.\(level.rawValue)"],
                  let keys = try? JSONDecoder().decode([String].self, from: Data(keyText.utf8))
            else {
                throw SceneWorkspaceError.embedding(item: "\(url.path): metadata 'keys.\(level.rawValue)'",
                                                    reason: "missing or not a JSON array of strings")
            }
            guard keys.count == matrix.shape[0] else {
                throw SceneWorkspaceError.embedding(
                    item: "\(url.path): metadata 'keys.\(level.rawValue)'",
                    reason: "\(keys.count) keys for \(matrix.shape[0]) rows")
            }
            if let bad = keys.firstIndex(where: { !Self.isItemKey($0) }) {
                throw SceneWorkspaceError.embedding(item: "\(url.path): keys.\(level.rawValue)[\(bad)]",
                                                    reason: "'\(keys[bad])' is not an item key")
            }
            pending.append((level, matrix, keys.map(ItemKey.init(rawValue:))))
        }
        try cache.write { batch in
            for (level, matrix, keys) in pending {
                try batch.storeVectors(matrix, for: keys, fingerprint: model.fingerprint, level: CacheLevel(level))
            }
        }
        for (level, _, keys) in pending { report.imported[level] = keys.count }
        return report
    }

    /// Imports a folder in clip-retrieval's layout as ``EmbeddingsExporter`` writes it (`img_emb/img_emb_K.npy`,
    /// `metadata/metadata_K.csv` with each row's item key, `embeddings.json`). The layout's model fingerprint must be
    /// the importer's model's unless `force`.
    /// - Throws: ``SceneWorkspaceError/embedding(item:reason:)`` naming the file, line and field.
    public func importLayout(at folder: URL, force: Bool = false) throws -> ShardReport {
        let layout: (manifest: EmbeddingsExporter.Manifest, chunks: [(vectors: Tensor, rows: [EmbeddingsExporter.Row])])
        do {
            layout = try EmbeddingsExporter.read(from: folder)
        } catch {
            throw SceneWorkspaceError.embedding(item: folder.path, reason: "\(error)")
        }
        if !force && layout.manifest.fingerprint != model.fingerprint {
            throw SceneWorkspaceError.embedding(
                item: folder.appendingPathComponent("embeddings.json").path,
                reason: "vectors of model \(layout.manifest.fingerprint), not the given model's \(model.fingerprint)")
        }
        guard layout.manifest.width == model.embeddingWidth else {
            throw SceneWorkspaceError.embedding(
                item: folder.appendingPathComponent("embeddings.json").path,
                reason: "width \(layout.manifest.width), the model's is \(model.embeddingWidth)")
        }
        var report = ShardReport(file: folder.path, imported: [:])
        try cache.write { batch in
            for (chunk, (vectors, rows)) in layout.chunks.enumerated() {
                try vectors.withUnsafeBufferPointer { values in
                    for (row, item) in rows.enumerated() {
                        guard Self.isItemKey(item.key.rawValue) else {
                            throw SceneWorkspaceError.embedding(
                                item: folder.appendingPathComponent("metadata/metadata_\(chunk).csv").path + " row \(row + 1)",
                                reason: "'\(item.key.rawValue)' is not an item key")
                        }
                        let width = layout.manifest.width
                        try batch.storeVector(UnsafeBufferPointer(rebasing: values[(row * width)..<((row + 1) * width)]),
                                              for: item.key, fingerprint: model.fingerprint, level: CacheLevel(item.level))
                        report.imported[item.level, default: 0] += 1
                    }
                }
            }
        }
        return report
    }

    /// `image:<64 hex>`, `region:<64 hex>` or `crop:<64 hex>:x1,y1,x2,y2`.
    static func isItemKey(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let isHash = { (s: Substring) in s.count == 64 && s.allSatisfy { $0.isHexDigit && !$0.isUppercase } }
        switch parts.first {
        case "image", "region": return parts.count == 2 && isHash(parts[1])
        case "crop":
            return parts.count == 3 && isHash(parts[1])
                && parts[2].split(separator: ",", omittingEmptySubsequences: false).count == 4
                && parts[2].split(separator: ",").allSatisfy { Int($0) != nil }
        default: return false
        }
    }
}
