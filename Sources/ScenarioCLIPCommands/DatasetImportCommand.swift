import ArgumentParser
import CommandSupport
import Foundation
import SceneImport

/// `scenarioclip dataset import FORMAT … OUT`: a source dataset's own annotation files as a reference-format
/// dataset (docs/IMPORT.md).
struct DatasetImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn COCO, Visual Genome, OpenPSG or Action Genome annotations into a reference-format dataset.",
        discussion: "Writes OUT/metadata.json, OUT/classes.json and OUT/regions/ (see docs/IMPORT.md).",
        subcommands: [COCO.self, VisualGenome.self, OpenPSG.self, ActionGenome.self]
    )

    /// Options every format takes.
    struct Shared: ParsableArguments {
        @Option(help: "How each scene's action is made (docs/IMPORT.md).")
        var actionFrom: ActionSource?

        @Flag(help: "Stop at the first missing or unreadable picture instead of skipping and counting it.")
        var strict = false

        @Option(help: "Threads cutting regions (default: all cores).")
        var threads: Int?

        @Flag(help: "Write the relations without region files (nothing is cut).")
        var noRegions = false

        func source(default value: ActionSource) throws -> ActionSource { actionFrom ?? value }

        func options(folders: [String], default value: ActionSource) throws -> ImportOptions {
            if let threads, threads < 1 { throw ValidationError("--threads must be positive") }
            return ImportOptions(pictureFolders: folders.map { URL(fileURLWithPath: $0, isDirectory: true) },
                                 actionSource: try source(default: value), strict: strict, threads: threads,
                                 cutRegions: !noRegions)
        }
    }

    struct COCO: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "coco", abstract: "COCO instances_*.json (+ captions_*.json).")
        @Option(help: "instances_*.json") var instances: String
        @Option(help: "captions_*.json") var captions: String?
        @Option(help: "Folder of the pictures (e.g. val2017).") var images: String
        @OptionGroup var shared: Shared
        @Argument(help: "Output dataset folder.") var out: String

        func run() throws {
            let options = try shared.options(folders: [images], default: captions == nil ? .object : .caption)
            let instancesURL = URL(fileURLWithPath: instances)
            let (scenes, crowd) = try COCOImporter.scenes(instances: instancesURL, captions: captions.map { URL(fileURLWithPath: $0) })
            let importer = try SceneImporter(output: URL(fileURLWithPath: out), sourceFile: instancesURL.path, options: options)
            importer.countLeftOut(crowd)
            try DatasetImportCommand.run(importer, scenes: scenes, leftOut: "crowd boxes")
        }
    }

    struct OpenPSG: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "openpsg", abstract: "OpenPSG psg.json.")
        @Option(help: "psg.json") var psg: String
        @Option(help: "Folder the file names of psg.json are relative to (the COCO folder).") var images: String
        @OptionGroup var shared: Shared
        @Argument(help: "Output dataset folder.") var out: String

        func run() throws {
            let options = try shared.options(folders: [images], default: .relation)
            let url = URL(fileURLWithPath: psg)
            let scenes = try OpenPSGImporter.scenes(psg: url)
            let importer = try SceneImporter(output: URL(fileURLWithPath: out), sourceFile: url.path, options: options)
            try DatasetImportCommand.run(importer, scenes: scenes, leftOut: "entries")
        }
    }

    struct ActionGenome: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "action-genome", abstract: "Action Genome person_bbox.pkl + object_bbox_and_relationship.pkl.")
        @Option(help: "Folder holding person_bbox.pkl and object_bbox_and_relationship.pkl.") var annotations: String
        @Option(help: "Folder of the frames (FRAMES/VIDEO.mp4/FRAME.png).") var frames: String
        @OptionGroup var shared: Shared
        @Argument(help: "Output dataset folder.") var out: String

        func run() throws {
            let options = try shared.options(folders: [frames], default: .relation)
            let folder = URL(fileURLWithPath: annotations, isDirectory: true)
            let (scenes, leftOut) = try ActionGenomeImporter.scenes(annotations: folder)
            let importer = try SceneImporter(
                output: URL(fileURLWithPath: out), sourceFile: folder.appendingPathComponent("person_bbox.pkl").path, options: options)
            importer.countLeftOut(leftOut)
            try DatasetImportCommand.run(importer, scenes: scenes, leftOut: "invisible objects or relations of frames without a person")
        }
    }

    struct VisualGenome: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "visual-genome", abstract: "Visual Genome image_data.json, objects.json, relationships.json (streamed).")
        @Option(help: "image_data.json") var imageData: String
        @Option(help: "objects.json") var objects: String
        @Option(help: "relationships.json") var relationships: String
        @Option(help: "A picture folder (repeat for VG_100K and VG_100K_2).") var images: [String] = []
        @OptionGroup var shared: Shared
        @Argument(help: "Output dataset folder.") var out: String

        func validate() throws {
            guard !images.isEmpty else { throw ValidationError("give at least one --images folder") }
        }

        func run() throws {
            let options = try shared.options(folders: images, default: .relation)
            let objectsURL = URL(fileURLWithPath: objects)
            let importer = try SceneImporter(output: URL(fileURLWithPath: out), sourceFile: objectsURL.path, options: options)
            let reporter = ProgressReporter(label: "import", unit: "KB")
            let interrupt = InterruptFlag()
            let start = Date()
            do {
                let leftOut = try VisualGenomeImporter.stream(
                    imageData: URL(fileURLWithPath: imageData), objects: objectsURL,
                    relationships: URL(fileURLWithPath: relationships),
                    progress: { done, total in
                        reporter.update(done: done >> 10, total: total >> 10, elapsed: Date().timeIntervalSince(start))
                    }
                ) { batch in
                    if interrupt.isRaised { throw DatasetImportCommand.interrupted() }
                    try importer.add(batch)
                }
                importer.countLeftOut(leftOut)
            } catch {
                reporter.finish()
                importer.abandon()
                throw error
            }
            reporter.finish()
            try DatasetImportCommand.finish(importer, leftOut: "objects or relations with no name or predicate")
        }
    }

    /// Imports scenes read whole (COCO, OpenPSG) in batches with progress, then finishes.
    static func run(_ importer: SceneImporter, scenes: [ImportedScene], leftOut: String) throws {
        let reporter = ProgressReporter(label: "import", unit: "images")
        let interrupt = InterruptFlag()
        let start = Date()
        var done = 0
        do {
            while done < scenes.count {
                if interrupt.isRaised { throw DatasetImportCommand.interrupted() }
                let end = min(scenes.count, done + 256)
                try importer.add(Array(scenes[done..<end]))
                done = end
                reporter.update(done: done, total: scenes.count, elapsed: Date().timeIntervalSince(start))
            }
        } catch {
            reporter.finish()
            importer.abandon()
            throw error
        }
        reporter.finish()
        try finish(importer, leftOut: leftOut)
    }

    /// The error of a run stopped by Ctrl-C: the regions cut are kept, no metadata is written.
    static func interrupted() -> ExitCode {
        FileHandle.standardError.write(Data("interrupted: regions cut so far are kept, no metadata written; run the same command again to resume\n".utf8))
        return ExitCode(130)
    }

    static func finish(_ importer: SceneImporter, leftOut: String) throws {
        let s = try importer.finish()
        print("imported \(s.records) scenes, \(s.objects) objects, \(s.relations) relations into \(importer.output.path)")
        print("regions: \(s.regionsWritten) cut, \(s.regionsKept) kept from an earlier run, \(s.regionsOutside) outside their picture (no region)")
        if s.entriesLeftOut > 0 { print("left out: \(s.entriesLeftOut) \(leftOut)") }
        if s.withoutAction > 0 { print("skipped: \(s.withoutAction) scenes with no relation, caption or object") }
        if s.missingPictures + s.unreadablePictures > 0 {
            print("skipped: \(s.missingPictures) scenes whose picture is missing, \(s.unreadablePictures) whose picture cannot be read (--strict stops instead)")
            for problem in s.firstProblems { print("  \(problem)") }
        }
    }
}
