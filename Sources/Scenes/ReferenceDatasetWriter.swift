import Foundation
import Imaging

/// Writes scene records as a dataset in the reference format: one `metadata.json` (`{"data": [...]}`, one
/// record a line) and a `classes.json` collected from the records written.
///
/// Records are streamed to a temporary file beside the target and renamed into place by ``finish()``, so a run
/// stopped half-way (Ctrl-C, a crash) never leaves a half-written `metadata.json`: either the previous file or the
/// complete new one is there. Picture and region paths inside ``directory`` are written relative to it, paths
/// elsewhere absolute. Ids are written as JSON strings (the loader reads integer ids as their decimal text, so
/// both load the same).
///
/// The importers, `corrections apply` and `dataset export` all write through this type.
public struct ReferenceDatasetWriter {
    /// Counts of what ``finish()`` wrote.
    public struct Summary: Sendable, Equatable {
        public var records = 0
        public var objects = 0
        public var relations = 0
        public var classes = SceneClasses(actions: [], objects: [], relations: [])
    }

    /// The dataset folder written to.
    public let directory: URL
    /// Name of the metadata file inside ``directory``.
    public let metadataName: String
    private let temporaryURL: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var summary = Summary()
    private var actions = Set<String>(), objects = Set<String>(), relations = Set<String>()
    private let directoryPrefix: String

    /// Creates `directory` if needed and opens a temporary metadata file in it.
    /// - Throws: ``ScenesError/cannotWrite(path:reason:)``.
    public init(directory: URL, metadataName: String = "metadata.json") throws {
        self.directory = directory.standardizedFileURL
        self.metadataName = metadataName
        let fm = FileManager.default
        do { try fm.createDirectory(at: self.directory, withIntermediateDirectories: true) } catch {
            throw ScenesError.cannotWrite(path: self.directory.path, reason: (error as NSError).localizedDescription)
        }
        let target = self.directory.appendingPathComponent(metadataName)
        AtomicFile.removeStalePartials(of: target)
        temporaryURL = AtomicFile.partialURL(for: target)
        guard fm.createFile(atPath: temporaryURL.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporaryURL.path)
        else {
            throw ScenesError.cannotWrite(path: temporaryURL.path, reason: "cannot create the file")
        }
        self.handle = handle
        let path = self.directory.path
        directoryPrefix = path.hasSuffix("/") ? path : path + "/"
        buffer.append(contentsOf: Array("{\"data\": [\n".utf8))
    }

    /// Appends one record (its classes join `classes.json`).
    /// - Throws: ``ScenesError/cannotWrite(path:reason:)`` when the temporary file cannot be written.
    public mutating func append(_ record: SceneRecord) throws {
        if summary.records > 0 { buffer.append(contentsOf: Array(",\n".utf8)) }
        Self.encode(record, relativeTo: directoryPrefix, into: &buffer)
        summary.records += 1
        summary.objects += record.objects.count
        summary.relations += record.relations.count
        actions.insert(record.action)
        for object in record.objects { objects.insert(object.name) }
        for relation in record.relations { relations.insert(relation.text) }
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes the rest, renames the metadata into place and writes `classes.json` (sorted distinct actions,
    /// object names and relation strings of the records appended, as the reference's scripts collect them).
    /// - Throws: ``ScenesError/cannotWrite(path:reason:)``; the previous `metadata.json`, if any, is then untouched.
    @discardableResult
    public mutating func finish() throws -> Summary {
        buffer.append(contentsOf: Array("\n]}\n".utf8))
        try flush()
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ScenesError.cannotWrite(path: temporaryURL.path, reason: (error as NSError).localizedDescription)
        }
        let target = directory.appendingPathComponent(metadataName)
        guard rename(temporaryURL.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporaryURL)
            throw ScenesError.cannotWrite(path: target.path, reason: reason)
        }
        summary.classes = SceneClasses(actions: actions.sorted(), objects: objects.sorted(), relations: relations.sorted())
        try Self.writeClasses(summary.classes, to: directory.appendingPathComponent("classes.json"))
        return summary
    }

    /// Removes the temporary file of a writer that will not finish (nothing else is touched).
    public func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(at: temporaryURL)
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw ScenesError.cannotWrite(path: temporaryURL.path, reason: (error as NSError).localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes `classes.json` whole or not at all (``Imaging/AtomicFile``), pretty-printed, keys `actions`, `objects`,
    /// `relations`.
    public static func writeClasses(_ classes: SceneClasses, to url: URL) throws {
        var out: [UInt8] = Array("{\n".utf8)
        let lists: [(String, [String])] = [("actions", classes.actions), ("objects", classes.objects),
                                           ("relations", classes.relations)]
        for (n, (key, values)) in lists.enumerated() {
            out.append(contentsOf: Array("  \"\(key)\": [".utf8))
            for (i, value) in values.enumerated() {
                out.append(contentsOf: Array((i == 0 ? "\n    " : ",\n    ").utf8))
                appendString(value, to: &out)
            }
            out.append(contentsOf: Array((values.isEmpty ? "]" : "\n  ]").utf8))
            out.append(contentsOf: Array((n == lists.count - 1 ? "\n}\n" : ",\n").utf8))
        }
        do { try AtomicFile.write(Data(out), to: url) } catch {
            throw ScenesError.cannotWrite(path: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    // MARK: Encoding

    /// One record as a JSON object on one line: `id`, `image_path`, `action`, `dense_caption` (when present),
    /// `objects` as `[name, [x1, y1, x2, y2]]`, `relations` as `[region_path, [subject, predicate, object]]`
    /// (`null` for a relation without a region file), `split` and `unseen` when the record states them.
    static func encode(_ record: SceneRecord, relativeTo prefix: String, into out: inout [UInt8]) {
        out.append(contentsOf: Array("{\"id\": ".utf8))
        appendString(record.id, to: &out)
        out.append(contentsOf: Array(", \"image_path\": ".utf8))
        appendString(relative(record.imageFile, to: prefix), to: &out)
        out.append(contentsOf: Array(", \"action\": ".utf8))
        appendString(record.action, to: &out)
        if let caption = record.denseCaption {
            out.append(contentsOf: Array(", \"dense_caption\": ".utf8))
            appendString(caption, to: &out)
        }
        out.append(contentsOf: Array(", \"objects\": [".utf8))
        for (i, object) in record.objects.enumerated() {
            if i > 0 { out.append(contentsOf: Array(", ".utf8)) }
            out.append(UInt8(ascii: "["))
            appendString(object.name, to: &out)
            let b = object.box
            out.append(contentsOf: Array(", [\(b.x1), \(b.y1), \(b.x2), \(b.y2)]]".utf8))
        }
        out.append(contentsOf: Array("], \"relations\": [".utf8))
        for (i, relation) in record.relations.enumerated() {
            if i > 0 { out.append(contentsOf: Array(", ".utf8)) }
            out.append(UInt8(ascii: "["))
            if let region = relation.regionFile {
                appendString(relative(region, to: prefix), to: &out)
            } else {
                out.append(contentsOf: Array("null".utf8))
            }
            out.append(contentsOf: Array(", [".utf8))
            appendString(relation.subject, to: &out)
            out.append(contentsOf: Array(", ".utf8))
            appendString(relation.predicate, to: &out)
            out.append(contentsOf: Array(", ".utf8))
            appendString(relation.object, to: &out)
            out.append(contentsOf: Array("]]".utf8))
        }
        out.append(UInt8(ascii: "]"))
        if let split = record.declaredSplit {
            out.append(contentsOf: Array(", \"split\": \"\(split.rawValue)\"".utf8))
        }
        if let unseen = record.unseen {
            out.append(contentsOf: Array(", \"unseen\": \(unseen)".utf8))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `path` relative to the folder whose path ends in `prefix` (with its slash) when it lies inside it.
    static func relative(_ path: String, to prefix: String) -> String {
        path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Appends `text` as a JSON string literal (quotes, backslashes and control characters escaped).
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
