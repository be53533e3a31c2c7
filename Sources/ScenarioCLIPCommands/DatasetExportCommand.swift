import ArgumentParser
import Foundation
import SceneWorkspace
import Scenes

/// `scenarioclip dataset export`: a subset of a dataset as a new dataset or a list of picture paths.
struct DatasetExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the scenes chosen by --split, --ids and --duplicates to OUT.",
        discussion: """
            Selections combine (a scene must pass all). --format reference (default) writes OUT/metadata.json and
            OUT/classes.json, pictures referenced by absolute path; --format paths writes one picture path a line
            (to standard output when OUT is -). OUT must not exist or be empty unless --force; the dataset is
            written to a temporary folder and renamed into place. See docs/EXPORT.md.
            """)

    @OptionGroup var data: DatasetOptions
    @Argument(help: ArgumentHelp("Output folder (reference) or file (paths; - for standard output).", valueName: "out"))
    var out: String
    @Option(name: .long, help: "Only scenes of this split: train, val or test (the split `check --json` lists).")
    var split: String?
    @Option(name: .long, help: ArgumentHelp("Only scenes whose ids are listed in FILE (one a line).", valueName: "file"))
    var ids: String?
    @Option(name: .long, help: "drop: keep only the first scene of each duplicate group (needs the model's cache).")
    var duplicates: String?
    @Option(name: .long, help: "Output format: reference or paths.")
    var format: String = "reference"
    @Flag(name: .long, help: "Replace OUT when it exists and is not empty.")
    var force = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var grouping: DuplicateOptions
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    struct Summary: Encodable {
        var out: String
        var format: String
        var records: Int
        var objects: Int
        var relations: Int
    }

    func validate() throws {
        if let split, SceneSplit(rawValue: split) == nil {
            throw ValidationError("--split must be train, val or test (got '\(split)')")
        }
        if let duplicates, duplicates != "drop" { throw ValidationError("--duplicates takes only 'drop' (got '\(duplicates)')") }
        guard ["reference", "paths"].contains(format) else {
            throw ValidationError("--format must be reference or paths (got '\(format)')")
        }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        if out != "-" { try SubsetWriter.checkOutput(outURL, force: force) }
        let dataset = try data.loadDataset()
        var keep = [Bool](repeating: true, count: dataset.records.count)
        if let split = split.flatMap(SceneSplit.init(rawValue:)) {
            let chosen = Set(dataset.splitPartition().indices(of: split))
            for index in keep.indices where !chosen.contains(index) { keep[index] = false }
        }
        if let ids {
            let text: String
            do { text = try String(contentsOfFile: ids, encoding: .utf8) } catch {
                throw ValidationError("\(ids): cannot read the id list (\((error as NSError).localizedDescription))")
            }
            let listed = Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            let unknown = listed.filter { dataset.index(ofID: $0) == nil }.sorted()
            if !unknown.isEmpty {
                throw ValidationError("\(ids): \(unknown.count) id(s) not in the dataset, e.g. '\(unknown[0])'")
            }
            for index in keep.indices where !listed.contains(dataset.records[index].id) { keep[index] = false }
        }
        if duplicates == "drop" {
            let workspace = Workspace(dataset: dataset, cache: try data.openCache(for: dataset), model: try modelOptions.load())
            try autoIndex.indexMissing(in: workspace)
            for group in try grouping.report(workspace).groups {
                for id in group.ids.dropFirst() { if let index = dataset.index(ofID: id) { keep[index] = false } }
            }
        }
        let records = dataset.records.indices.filter { keep[$0] }.map { dataset.records[$0] }
        var summary = Summary(out: outURL.path, format: format, records: records.count, objects: 0, relations: 0)
        if format == "paths" {
            let text = records.map { $0.imagePath.path + "\n" }.joined()
            if out == "-" {
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            do { try Data(text.utf8).write(to: outURL, options: .atomic) } catch {
                throw ValidationError("\(outURL.path): cannot write (\((error as NSError).localizedDescription))")
            }
            summary.objects = records.reduce(0) { $0 + $1.objects.count }
            summary.relations = records.reduce(0) { $0 + $1.relations.count }
        } else {
            let written = try SubsetWriter.write(records, to: outURL, force: force)
            summary.objects = written.objects
            summary.relations = written.relations
        }
        if output.json {
            try printJSON(summary)
        } else {
            print("\(summary.out): \(summary.records) scene(s), \(summary.objects) object(s), \(summary.relations) relation(s)")
        }
    }
}
