import ArgumentParser
import EmbeddingCache
import Foundation
import Scenes

/// `scenarioclip marks export`: print every annotation mark of a dataset as text, JSON or CSV.
struct MarksExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print every annotation mark of a dataset (text, --json or --csv)."
    )

    @Argument(help: "Dataset folder.")
    var dataset: String

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Print CSV with a header row.")
    var csv = false

    @Option(name: .long, help: "Cache database (default: DATASET/.scenarioclip/cache.sqlite).")
    var cache: String?

    func validate() throws {
        if json && csv { throw ValidationError("give at most one of --json and --csv") }
    }

    /// One exported mark.
    struct Row: Encodable {
        var sceneID: String
        var targetKind: String
        var targetIndex: Int
        var label: String?
        var verdict: String
        var note: String
        var timestamp: String

        enum CodingKeys: String, CodingKey {
            case label, verdict, note, timestamp
            case sceneID = "scene_id"
            case targetKind = "target_kind"
            case targetIndex = "target_index"
        }
    }

    func run() throws {
        let root = URL(fileURLWithPath: dataset)
        let location = cache.map { URL(fileURLWithPath: $0) } ?? EmbeddingCache.defaultLocation(forDataset: root)
        var marks: [AnnotationMark] = []
        if FileManager.default.fileExists(atPath: location.path) {
            marks = try EmbeddingCache.open(at: location, options: CacheOptions(readOnly: !FileManager.default.isWritableFile(atPath: location.path))).marks()
        } else {
            FileHandle.standardError.write(Data("no embedding cache at \(location.path); no marks yet\n".utf8))
        }
        // Labels are a courtesy: a dataset that fails to load still exports its marks.
        let scenes = try? SceneDataset.load(from: root)
        let rows = marks.map { mark in
            Row(sceneID: mark.sceneID, targetKind: mark.targetKind.rawValue, targetIndex: mark.targetIndex,
                label: scenes.flatMap { Self.label(of: mark, in: $0) }, verdict: mark.verdict.rawValue, note: mark.note,
                timestamp: mark.timestamp.formatted(.iso8601))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else if csv {
            print("scene_id,target_kind,target_index,label,verdict,note,timestamp")
            for row in rows {
                print([row.sceneID, row.targetKind, String(row.targetIndex), row.label ?? "", row.verdict, row.note, row.timestamp]
                    .map(Self.csvField).joined(separator: ","))
            }
        } else {
            for row in rows {
                let target = row.targetKind == "scene" ? "scene" : "\(row.targetKind) \(row.targetIndex)"
                let label = row.label.map { " \"\($0)\"" } ?? ""
                let note = row.note.isEmpty ? "" : " — \(row.note)"
                print("\(row.sceneID)  \(target)\(label)  \(row.verdict)  \(row.timestamp)\(note)")
            }
        }
    }

    /// The annotated text a mark is about, when the dataset has it.
    static func label(of mark: AnnotationMark, in dataset: SceneDataset) -> String? {
        guard let record = dataset.record(id: mark.sceneID) else { return nil }
        switch mark.targetKind {
        case .scene: return record.action
        case .object: return record.objects.indices.contains(mark.targetIndex) ? record.objects[mark.targetIndex].name : nil
        case .relation: return record.relations.indices.contains(mark.targetIndex) ? record.relations[mark.targetIndex].text : nil
        }
    }

    /// RFC 4180 quoting: fields with commas, quotes or line breaks are quoted, quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
