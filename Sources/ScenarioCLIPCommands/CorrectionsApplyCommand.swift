import ArgumentParser
import CommandSupport
import Foundation
import Imaging
import Scenes

/// `scenarioclip corrections apply`: writes a corrected copy of a dataset in the reference format.
///
/// Every record is written with its corrections applied (``Scenes/SceneRecord/applying(_:)``); relations whose
/// region changed (a moved box, a new triple) get a new region cut by ``Scenes/FocusedRegion`` into
/// `OUT/regions/`; everything else keeps its paths (pictures are referred to where they are, not copied), so
/// untouched records are equal in content. `classes.json` is collected from the corrected records.
struct CorrectionsApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Write a corrected copy of the dataset (reference format) to OUT.",
        discussion: "Pictures stay where they are (the copy refers to them); recut relation regions go to OUT/regions."
    )

    @OptionGroup var target: CorrectionsDatasetOptions

    @Argument(help: ArgumentHelp("Folder to write the corrected dataset to (new or empty).", valueName: "out"))
    var out: String

    @Flag(name: .long, help: "Write into OUT even when it is not empty (its metadata*.json files are replaced).")
    var force = false

    @OptionGroup var output: OutputOptions

    struct Summary: Encodable {
        var out: String
        var records: Int
        var correctedRecords: Int
        var corrections: Int
        var recutRegions: Int
        var objects: Int
        var relations: Int
        var actions: Int
        var objectClasses: Int
        var relationClasses: Int

        enum CodingKeys: String, CodingKey {
            case out, records, corrections, objects, relations, actions
            case correctedRecords = "corrected_records"
            case recutRegions = "recut_regions"
            case objectClasses = "object_classes"
            case relationClasses = "relation_classes"
        }
    }

    func run() throws {
        let dataset = try target.loadDataset()
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        let fm = FileManager.default
        if outURL.resolvingSymlinksInPath().path == dataset.root.standardizedFileURL.resolvingSymlinksInPath().path {
            throw ValidationError("OUT \(outURL.path) is the dataset itself; corrections never change the source, give another folder")
        }
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: outURL.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ValidationError("OUT \(outURL.path) exists and is not a folder") }
            let contents = (try? fm.contentsOfDirectory(atPath: outURL.path)) ?? []
            if !contents.isEmpty && !force {
                throw ValidationError("OUT \(outURL.path) exists and is not empty (\(contents.count) entries); give --force to write into it")
            }
        }
        let corrections = try target.readCorrections(for: dataset)
        let byScene = Dictionary(grouping: corrections, by: \.sceneID)
        let unknown = byScene.keys.filter { dataset.record(id: $0) == nil }.sorted()
        if let first = unknown.first {
            throw ValidationError("\(unknown.count) corrected scene(s) are not in the dataset (first: \"\(first)\"); "
                + "undo them with 'scenarioclip corrections undo --scene ID'")
        }
        var writer = try ReferenceDatasetWriter(directory: outURL)
        var summary = Summary(out: outURL.path, records: 0, correctedRecords: 0, corrections: corrections.count, recutRegions: 0,
                              objects: 0, relations: 0, actions: 0, objectClasses: 0, relationClasses: 0)
        let progress = ProgressReporter(label: "applying corrections", unit: "scenes")
        let start = Date()
        do {
            for (n, original) in dataset.records.enumerated() {
                progress.update(done: n, total: dataset.records.count, elapsed: Date().timeIntervalSince(start))
                guard let list = byScene[original.id] else {
                    try writer.append(original)
                    continue
                }
                var corrected = try original.applyingTracked(list)
                var decoded: RGBImage?
                for j in corrected.record.relations.indices where corrected.regionChanged(j, original: original) {
                    let picture: RGBImage
                    if let decoded { picture = decoded } else {
                        do { picture = try Picture.decode(contentsOf: original.imagePath) } catch {
                            throw ValidationError("cannot read scene \(original.id)'s picture \(original.imageFile) to recut its regions: \(error)")
                        }
                        decoded = picture
                    }
                    let relation = corrected.record.relations[j]
                    let url = outURL.appendingPathComponent("regions", isDirectory: true)
                        .appendingPathComponent("\(Self.fileSafe(original.id))_\(j).jpg")
                    do {
                        if try FocusedRegion.write(relation, in: corrected.record, picture: picture, to: url) {
                            corrected.record.relations[j].regionFile = url.path
                            summary.recutRegions += 1
                        } else {
                            printError("scene \(original.id): relation \(j) \"\(relation.text)\" names none of the scene's objects; its region is kept")
                        }
                    } catch {
                        throw ValidationError("scene \(original.id): cannot recut relation \(j)'s region to \(url.path): \(error)")
                    }
                }
                try writer.append(corrected.record)
                summary.correctedRecords += 1
            }
        } catch {
            writer.abandon()
            throw error
        }
        let written = try writer.finish()
        progress.update(done: dataset.records.count, total: dataset.records.count, elapsed: Date().timeIntervalSince(start), force: true)
        progress.finish()
        // With --force, other metadata files left in OUT would be loaded with the copy; remove them.
        for name in (try? fm.contentsOfDirectory(atPath: outURL.path)) ?? []
        where name.hasPrefix("metadata") && name.hasSuffix(".json") && name != writer.metadataName {
            try? fm.removeItem(at: outURL.appendingPathComponent(name))
        }
        summary.records = written.records
        summary.objects = written.objects
        summary.relations = written.relations
        summary.actions = written.classes.actions.count
        summary.objectClasses = written.classes.objects.count
        summary.relationClasses = written.classes.relations.count
        if output.json {
            try printJSON(summary)
        } else {
            print("wrote \(summary.records) scenes (\(summary.correctedRecords) corrected by \(summary.corrections) correction(s), "
                + "\(summary.recutRegions) region(s) recut) to \(summary.out)")
        }
    }

    /// `id` with every character outside `[A-Za-z0-9._-]` replaced by `_` (ids may hold slashes).
    static func fileSafe(_ id: String) -> String {
        String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") ? $0 : "_" })
    }
}
