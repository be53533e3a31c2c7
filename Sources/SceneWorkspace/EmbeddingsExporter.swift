import EmbeddingCache
import Foundation
import Imaging
import Numerics
import ScenarioModel
import Scenes

/// Cached image embeddings in clip-retrieval's layout, for autofaiss, faiss or any vector database:
///
///     OUT/img_emb/img_emb_0.npy …       [rows, width] float16 or float32, rows of all chosen levels in order
///     OUT/metadata/metadata_0.csv …     one row per vector, same order: item_id, scene_id, level, item_index,
///                                       key, image_path, x1, y1, x2, y2 (the box; empty for whole pictures)
///     OUT/embeddings.json               format, model fingerprint, dtype, width, levels, chunks, rows
///
/// `item_id` counts rows across chunks from 0, as clip-retrieval's ids do. The metadata is CSV beside each
/// `.npy` (clip-retrieval writes Parquet): no Parquet writer is available as a Debian package or a kept Swift
/// package here, and CSV is read by pandas, DuckDB and `pyarrow.csv` alike. ``read(from:)`` reads the layout back.
public enum EmbeddingsExporter {
    /// One exported vector's metadata.
    public struct Row: Sendable, Equatable {
        public var itemID: Int
        public var sceneID: String
        public var level: Level
        public var itemIndex: Int
        public var key: ItemKey
        public var imagePath: String
        public var box: PixelBox?
    }

    /// What `embeddings.json` records.
    public struct Manifest: Codable, Sendable, Equatable {
        public var format = "scenarioclip-clip-retrieval"
        public var version = 1
        public var fingerprint: String
        public var dtype: String
        public var width: Int
        public var levels: [String]
        public var chunks: Int
        public var rows: Int
    }

    public enum ExportError: Error, CustomStringConvertible {
        case nothingCached(fingerprint: String)
        case widthsDiffer(String)
        case badLayout(path: String, detail: String)

        public var description: String {
            switch self {
            case .nothingCached(let fingerprint): return "the cache holds no vectors of model \(fingerprint): run `scenarioclip index` first"
            case .widthsDiffer(let detail): return "levels of different widths cannot share one set of .npy files: \(detail); export one --level at a time"
            case .badLayout(let path, let detail): return "\(path): \(detail)"
            }
        }
    }

    /// Writes the cached vectors of `fingerprint` at `levels` into `out` in chunks of `chunkRows` rows.
    /// - Throws: ``ExportError``, cache and file errors (each naming the file).
    @discardableResult
    public static func export(dataset: SceneDataset, cache: EmbeddingCache, fingerprint: String, levels: [Level],
                              to out: URL, half: Bool, chunkRows: Int) throws -> Manifest {
        let embeddings = out.appendingPathComponent("img_emb", isDirectory: true)
        let metadata = out.appendingPathComponent("metadata", isDirectory: true)
        for folder in [embeddings, metadata] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        var width = 0
        var chunk = 0
        var total = 0
        var values: [Float] = []
        var lines: [String] = []
        func flush() throws {
            guard !lines.isEmpty else { return }
            try NPYFile.write(Tensor(shape: [lines.count, width], values: values),
                              to: embeddings.appendingPathComponent("img_emb_\(chunk).npy"), half: half)
            let csv = "item_id,scene_id,level,item_index,key,image_path,x1,y1,x2,y2\n" + lines.joined()
            try Data(csv.utf8).write(to: metadata.appendingPathComponent("metadata_\(chunk).csv"), options: .atomic)
            chunk += 1
            values.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
        }
        for level in levels {
            let vectors = try cache.loadLevel(fingerprint: fingerprint, level: CacheLevel(level))
            guard vectors.count > 0 else { continue }
            if width == 0 { width = vectors.width }
            guard vectors.width == width else { throw ExportError.widthsDiffer("\(level.rawValue) has \(vectors.width) values, an earlier level \(width)") }
            var keyOf: [String: ItemKey] = [:]
            for item in try cache.items(level: CacheLevel(level)) { keyOf["\(item.sceneID)\u{0}\(item.index)"] = item.key }
            try vectors.matrix.withUnsafeBufferPointer { matrix in
                for row in 0..<vectors.count {
                    let scene = vectors.sceneIDs[row], index = Int(vectors.itemIndices[row])
                    let record = dataset.record(id: scene)
                    let box: PixelBox?
                    switch level {
                    case .global: box = nil
                    case .object: box = record.flatMap { index < $0.objects.count ? $0.objects[index].box : nil }
                    case .relation: box = record.flatMap { index < $0.relations.count ? $0.unionBox(of: $0.relations[index]) : nil }
                    }
                    let boxText = box.map { "\($0.x1),\($0.y1),\($0.x2),\($0.y2)" } ?? ",,,"
                    let key = keyOf["\(scene)\u{0}\(index)"]?.rawValue ?? ""
                    lines.append("\(total),\(csvField(scene)),\(level.rawValue),\(index),\(csvField(key)),"
                        + "\(csvField(record?.imageFile ?? "")),\(boxText)\n")
                    values.append(contentsOf: matrix[(row * width)..<((row + 1) * width)])
                    total += 1
                    if lines.count == chunkRows { try flush() }
                }
            }
        }
        guard total > 0 else { throw ExportError.nothingCached(fingerprint: fingerprint) }
        try flush()
        let manifest = Manifest(fingerprint: fingerprint, dtype: half ? "float16" : "float32", width: width,
                                levels: levels.map(\.rawValue), chunks: chunk, rows: total)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: out.appendingPathComponent("embeddings.json"), options: .atomic)
        return manifest
    }

    /// Reads a layout written by ``export(dataset:cache:fingerprint:levels:to:half:chunkRows:)`` (or by any tool
    /// that writes the same files): the manifest and, per chunk, its vectors and rows.
    /// - Throws: ``ExportError/badLayout(path:detail:)`` naming the file and what is wrong.
    public static func read(from folder: URL) throws -> (manifest: Manifest, chunks: [(vectors: Tensor, rows: [Row])]) {
        let manifestURL = folder.appendingPathComponent("embeddings.json")
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL))
        } catch {
            throw ExportError.badLayout(path: manifestURL.path, detail: "not a readable embeddings manifest (\(error))")
        }
        var chunks: [(Tensor, [Row])] = []
        for chunk in 0..<manifest.chunks {
            let npy = folder.appendingPathComponent("img_emb/img_emb_\(chunk).npy")
            let csv = folder.appendingPathComponent("metadata/metadata_\(chunk).csv")
            let vectors: Tensor
            do { vectors = try NPYFile.read(npy) } catch { throw ExportError.badLayout(path: npy.path, detail: "\(error)") }
            guard vectors.rank == 2, vectors.shape[1] == manifest.width else {
                throw ExportError.badLayout(path: npy.path, detail: "shape \(vectors.shape), expected [rows, \(manifest.width)]")
            }
            let text: String
            do { text = try String(contentsOf: csv, encoding: .utf8) } catch {
                throw ExportError.badLayout(path: csv.path, detail: "cannot read (\(error.localizedDescription))")
            }
            var rows: [Row] = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated().dropFirst() {
                let fields = csvFields(String(line))
                func bad(_ detail: String) -> ExportError { .badLayout(path: csv.path, detail: "line \(number + 1): \(detail)") }
                guard fields.count == 10 else { throw bad("\(fields.count) fields, expected 10") }
                guard let itemID = Int(fields[0]), let level = Level(rawValue: fields[2]), let index = Int(fields[3]) else {
                    throw bad("item_id, level or item_index unreadable")
                }
                let coordinates = fields[6...9].map { Int($0) }
                let box = coordinates.allSatisfy { $0 != nil }
                    ? PixelBox(x1: coordinates[0]!, y1: coordinates[1]!, x2: coordinates[2]!, y2: coordinates[3]!) : nil
                rows.append(Row(itemID: itemID, sceneID: fields[1], level: level, itemIndex: index, key: ItemKey(rawValue: fields[4]),
                                imagePath: fields[5], box: box))
            }
            guard rows.count == vectors.shape[0] else {
                throw ExportError.badLayout(path: csv.path, detail: "\(rows.count) rows for \(vectors.shape[0]) vectors in \(npy.lastPathComponent)")
            }
            chunks.append((vectors, rows))
        }
        return (manifest, chunks)
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var characters = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? characters.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { fields.append(field); field = "" } else { field.append(c) }
        }
        fields.append(field)
        return fields
    }
}
