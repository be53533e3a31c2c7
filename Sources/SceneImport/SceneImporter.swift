import Foundation
import Imaging
import Numerics
import Scenes

/// Choices shared by every importer.
public struct ImportOptions: Sendable {
    /// Folders searched, in order, for each picture: `FOLDER/PATH` as the source names it, then `FOLDER/NAME`
    /// with the name alone.
    public var pictureFolders: [URL]
    public var actionSource: ActionSource
    /// A missing or unreadable picture stops the import instead of being skipped and counted.
    public var strict: Bool
    /// Threads cutting regions (`nil`: all cores).
    public var threads: Int?
    /// `false` writes every relation without a region file (nothing is cut, pictures are only looked up).
    public var cutRegions: Bool

    public init(pictureFolders: [URL], actionSource: ActionSource, strict: Bool = false, threads: Int? = nil,
                cutRegions: Bool = true) {
        self.pictureFolders = pictureFolders
        self.actionSource = actionSource
        self.strict = strict
        self.threads = threads
        self.cutRegions = cutRegions
    }
}

/// Counts of an import.
public struct ImportSummary: Sendable, Equatable {
    public var records = 0
    public var objects = 0
    public var relations = 0
    /// Region files cut and written by this run.
    public var regionsWritten = 0
    /// Region files already complete from an earlier run (resume), kept as they are.
    public var regionsKept = 0
    /// Relations whose union box lies outside the picture (written with no region).
    public var regionsOutside = 0
    /// Scenes skipped because their picture is in none of the folders.
    public var missingPictures = 0
    /// Scenes skipped because their picture could not be decoded.
    public var unreadablePictures = 0
    /// Scenes skipped because they have no relation, caption or object to make an action from.
    public var withoutAction = 0
    /// Source entries the format's rules leave out (COCO crowd boxes, Action Genome invisible objects, …).
    public var entriesLeftOut = 0
    /// What the missing or unreadable pictures were (the first 10), for the report.
    public var firstProblems: [String] = []
}

/// Turns ``ImportedScene``s into a reference-format dataset: records streamed through
/// ``Scenes/ReferenceDatasetWriter`` and every relation's focused region cut with ``Scenes/FocusedRegion`` (the
/// union of that relation's own subject and object boxes) into `OUT/regions/ID/K.jpg`.
///
/// Scenes are handed over in batches; the regions of a batch are cut on all cores. A region file that exists from
/// an earlier run is kept (files are written atomically, so an existing one is complete), so a rerun after Ctrl-C
/// or a crash only does the rest; `metadata.json` appears only when ``finish()`` succeeds.
public final class SceneImporter {
    public let output: URL
    public let options: ImportOptions
    /// The source file named in problems (the one listing the pictures).
    public let sourceFile: String
    private var writer: ReferenceDatasetWriter
    private var summary = ImportSummary()
    private let regionsFolder: URL

    /// Opens `output` for writing (created if needed).
    public init(output: URL, sourceFile: String, options: ImportOptions) throws {
        self.output = output.standardizedFileURL
        self.options = options
        self.sourceFile = sourceFile
        writer = try ReferenceDatasetWriter(directory: self.output)
        regionsFolder = self.output.appendingPathComponent("regions", isDirectory: true)
    }

    /// Counts entries a format's rules leave out (reported at the end).
    public func countLeftOut(_ n: Int) { summary.entriesLeftOut += n }

    /// The counts so far.
    public var progress: ImportSummary { summary }

    /// Imports a batch of scenes (regions cut in parallel, records appended in order).
    /// - Throws: ``SceneImportError/missingPicture(file:record:picture:)`` with `strict`; ``Scenes/ScenesError``
    ///   when the output cannot be written.
    public func add(_ scenes: [ImportedScene]) throws {
        let results = ResultSlots(count: scenes.count)
        let folders = options.pictureFolders, regions = options.cutRegions ? regionsFolder : nil
        Parallel.forEachPiece(scenes.count, pieceSize: 1, threads: options.threads) { range in
            for i in range { results.set(i, Self.prepare(scenes[i], folders: folders, regions: regions)) }
        }
        for (i, scene) in scenes.enumerated() {
            guard let outcome = results.get(i) else { continue }
            switch outcome {
            case .missing:
                if options.strict {
                    abandon()
                    throw SceneImportError.missingPicture(file: sourceFile, record: scene.id, picture: scene.picture)
                }
                summary.missingPictures += 1
                note("record \(scene.id): picture \(scene.picture) not found")
            case .unreadable(let reason):
                if options.strict {
                    abandon()
                    throw SceneImportError.unreadable(file: scene.picture, reason: reason)
                }
                summary.unreadablePictures += 1
                note("record \(scene.id): picture \(scene.picture): \(reason)")
            case .ready(let picture, let regionFiles, let written, let kept, let outside):
                guard let action = options.actionSource.action(of: scene) else {
                    summary.withoutAction += 1
                    continue
                }
                let relations = zip(scene.relations, regionFiles).map { r, file in
                    SceneRelation(subject: r.subject.name, predicate: r.predicate, object: r.object.name, regionFile: file)
                }
                let record = SceneRecord(
                    id: scene.id, imageFile: picture, action: action, denseCaption: scene.caption,
                    objects: scene.objects, relations: relations, declaredSplit: scene.split,
                    sourceFile: URL(fileURLWithPath: sourceFile), indexInFile: summary.records)
                do { try writer.append(record) } catch {
                    abandon()
                    throw error
                }
                summary.records += 1
                summary.objects += scene.objects.count
                summary.relations += relations.count
                summary.regionsWritten += written
                summary.regionsKept += kept
                summary.regionsOutside += outside
            }
        }
    }

    /// Renames the metadata into place and writes `classes.json`.
    /// - Throws: ``SceneImportError/nothingImported(file:detail:)`` when no scene was imported (nothing is
    ///   written then, an earlier `metadata.json` stays).
    @discardableResult
    public func finish() throws -> ImportSummary {
        guard summary.records > 0 else {
            abandon()
            throw SceneImportError.nothingImported(
                file: sourceFile,
                detail: "\(summary.missingPictures) pictures missing, \(summary.unreadablePictures) unreadable, \(summary.withoutAction) scenes without objects")
        }
        try writer.finish()
        return summary
    }

    /// Removes the temporary metadata file (regions already cut stay for a rerun).
    public func abandon() { writer.abandon() }

    private func note(_ text: String) {
        if summary.firstProblems.count < 10 { summary.firstProblems.append(text) }
    }

    // MARK: One scene

    enum Outcome: Sendable {
        case missing
        case unreadable(String)
        case ready(picture: String, regions: [String?], written: Int, kept: Int, outside: Int)
    }

    /// The first `FOLDER/PATH`, then `FOLDER/NAME`, that exists.
    static func locate(_ picture: String, in folders: [URL]) -> String? {
        let fm = FileManager.default
        let name = (picture as NSString).lastPathComponent
        for candidate in [picture, name] where !candidate.isEmpty {
            for folder in folders {
                let path = folder.appendingPathComponent(candidate).standardizedFileURL.path
                var isFolder: ObjCBool = false
                if fm.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue { return path }
            }
        }
        return nil
    }

    /// The file name of a record's folder under `regions/`: the id with every byte outside `[A-Za-z0-9._-]`
    /// written as `_` (and a leading `.` too).
    static func folderName(for id: String) -> String {
        var out = String(id.map { c in
            c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_") ? c : "_"
        })
        if out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out.isEmpty ? "_" : out
    }

    /// Finds the picture and cuts the regions not cut yet (none when `regions` is `nil`).
    static func prepare(_ scene: ImportedScene, folders: [URL], regions: URL?) -> Outcome {
        guard let picture = locate(scene.picture, in: folders) else { return .missing }
        guard let regions else {
            return .ready(picture: picture, regions: scene.relations.map { _ in nil }, written: 0, kept: 0, outside: 0)
        }
        let folder = regions.appendingPathComponent(folderName(for: scene.id), isDirectory: true)
        let files = scene.relations.indices.map { folder.appendingPathComponent("\($0).jpg") }
        let fm = FileManager.default
        var regionFiles: [String?] = files.map { $0.path }
        let todo = files.indices.filter { k in
            guard let size = (try? fm.attributesOfItem(atPath: files[k].path))?[.size] as? NSNumber else { return true }
            return size.intValue == 0
        }
        var written = 0, outside = 0
        if !todo.isEmpty {
            let image: RGBImage
            do { image = try decodePicture(URL(fileURLWithPath: picture)) } catch {
                return .unreadable("\(error)")
            }
            for k in todo {
                let r = scene.relations[k]
                // A record of the relation's own two objects, so the union is of exactly these boxes.
                let pair = r.subject.name == r.object.name
                    ? [SceneObject(name: r.subject.name, box: r.subject.box.union(r.object.box))] : [r.subject, r.object]
                let own = SceneRecord(
                    id: scene.id, imageFile: picture, action: "", objects: pair,
                    relations: [], sourceFile: regions, indexInFile: 0)
                let relation = SceneRelation(subject: r.subject.name, predicate: r.predicate, object: r.object.name, regionFile: nil)
                do {
                    try FocusedRegion.write(relation, in: own, picture: image, to: files[k])
                    written += 1
                } catch {
                    regionFiles[k] = nil
                    outside += 1
                }
            }
        }
        return .ready(picture: picture, regions: regionFiles, written: written, kept: files.count - todo.count, outside: outside)
    }

    /// The one place importers decode a picture (JPEG, PNG or WebP, told apart by content).
    private static func decodePicture(_ url: URL) throws -> RGBImage {
        try Picture.decode(contentsOf: url)
    }
}

/// Per-index results written by worker threads (each index by one thread), read after they finish.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [SceneImporter.Outcome?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: SceneImporter.Outcome) {
        lock.lock()
        slots[i] = value
        lock.unlock()
    }

    func get(_ i: Int) -> SceneImporter.Outcome? {
        lock.lock()
        defer { lock.unlock() }
        return slots[i]
    }
}
