import ArgumentParser
import CommandSupport
import EmbeddingCache
import Foundation
import Retrieval
import ScenarioModel
import Scenes
import SceneWorkspace

/// `scenarioclip dataset export`: a subset of a dataset as a new dataset, a COCO instances file or a list of
/// picture paths.
struct DatasetExportCommand: ParsableCommand {
    /// `--format`: a dataset folder in the reference's format, a COCO instances file, or picture paths.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case reference, coco, paths
    }

    /// `--duplicates`: what to do with the members of a duplicate group after its first.
    enum DuplicatesAction: String, CaseIterable, ExpressibleByArgument {
        case drop
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the scenes chosen by --query, --filter, --marks, --split, --ids and --duplicates to OUT.",
        discussion: """
            Selections combine (a scene must pass all); --query then ranks the scenes left at --level (global, \
            object or relation: a scene scores its best item) and keeps the --top K (default 100) or those scoring \
            at least --min-score, written best first (otherwise in dataset order). --level is also the level \
            --duplicates compares at. \
            --format reference (default) writes OUT/metadata.json and OUT/classes.json, pictures referenced by \
            absolute path or copied into OUT with --copy; --format coco writes a COCO instances JSON file; --format \
            paths writes one picture path a line (coco and paths go to standard output when OUT is -). OUT must not \
            exist or be empty unless --force; it is written under a temporary name and renamed into place. \
            See docs/EXPORT.md.
            """)

    /// Scenes `--query` keeps when neither --top nor --min-score is given.
    static let defaultTop = 100

    @OptionGroup var data: DatasetOptions
    @Argument(help: ArgumentHelp("Output folder (reference) or file (coco, paths; - for standard output).", valueName: "out"))
    var out: String
    @Option(name: .long, help: ArgumentHelp("Rank scenes by this query text or expression (as `query` takes it).", valueName: "text"))
    var query: String?
    @Option(name: .long, help: ArgumentHelp("With --query: keep the K best scenes (default \(defaultTop)).", valueName: "k"))
    var top: Int?
    @Option(name: .customLong("min-score"), help: ArgumentHelp("With --query: keep the scenes scoring at least S (cosine).", valueName: "s"))
    var minScore: Float?
    @Option(name: .long, help: ArgumentHelp(
        "Only scenes matching this filter (the explorer's filter language: object:dog tag:test …).", valueName: "expr"))
    var filter: String?
    @Option(name: .long, help: ArgumentHelp(
        "Only scenes with a mark of one of these kinds in the cache (comma-separated: wrong,unsure,correct).", valueName: "kinds"))
    var marks: String?
    @Option(name: .long, help: "Only scenes of this split (the split `check --json` lists).")
    var split: SceneSplit?
    @Option(name: .long, help: ArgumentHelp("Only scenes whose ids are listed in FILE (one a line).", valueName: "file"))
    var ids: String?
    @Option(name: .long, help: "drop: keep only the first scene of each duplicate group (needs the model's cache).")
    var duplicates: DuplicatesAction?
    @Option(name: .long, help: "Output format.")
    var format: Format = .reference
    @Flag(name: .long, help: "With --format reference: copy pictures and region pictures into OUT.")
    var copy = false
    @Flag(name: .long, help: "Replace OUT when it exists and is not empty.")
    var force = false
    @OptionGroup var modelOptions: ModelOptions
    /// `--level` (for --query and --duplicates) and `--threshold` (for --duplicates).
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
        if copy && format != .reference { throw ValidationError("--copy works only with --format reference (got '\(format.rawValue)')") }
        if out == "-" && format == .reference { throw ValidationError("--format reference writes a folder; give its path, not -") }
        if query == nil && (top != nil || minScore != nil) { throw ValidationError("--top and --min-score need --query") }
        if top != nil && minScore != nil { throw ValidationError("give --top or --min-score, not both") }
        if let top, top <= 0 { throw ValidationError("--top must be positive (got \(top))") }
        if let minScore, !minScore.isFinite { throw ValidationError("--min-score must be a number (got \(minScore))") }
        if let marks { _ = try Self.verdicts(marks) }
    }

    /// The mark kinds of a `--marks` list.
    static func verdicts(_ list: String) throws -> Set<AnnotationMark.Verdict> {
        var verdicts = Set<AnnotationMark.Verdict>()
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !item.isEmpty {
            guard let verdict = AnnotationMark.Verdict(rawValue: item) else {
                throw ValidationError("--marks: unknown mark kind '\(item)' (kinds: wrong, unsure, correct)")
            }
            verdicts.insert(verdict)
        }
        guard !verdicts.isEmpty else { throw ValidationError("--marks needs at least one of wrong, unsure, correct") }
        return verdicts
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        if out != "-" { try SubsetWriter.checkOutput(outURL, force: force) }
        let dataset = try data.loadDataset()
        var keep = [Bool](repeating: true, count: dataset.records.count)
        // Dataset, cache and model, opened once for --query and --duplicates.
        var opened: Workspace?
        func workspace() throws -> Workspace {
            if let opened { return opened }
            let workspace = Workspace(
                dataset: dataset, cache: try data.openCache(for: dataset, readOnlyFallback: autoIndex.noIndex),
                model: try modelOptions.load())
            try autoIndex.indexMissing(in: workspace)
            opened = workspace
            return workspace
        }

        if let split {
            let chosen = Set(dataset.splitPartition().indices(of: split))
            for index in keep.indices where !chosen.contains(index) { keep[index] = false }
        }
        if let ids {
            let listed = try Self.readIDs(ids, in: dataset)
            for index in keep.indices where !listed.contains(dataset.records[index].id) { keep[index] = false }
        }
        if let filter {
            let sceneFilter = try Self.checkedFilter(filter, for: dataset)
            for (index, summary) in dataset.summaries().enumerated() where !sceneFilter.matches(summary) { keep[index] = false }
        }
        if let marks {
            let marked = try markedScenes(try Self.verdicts(marks), in: dataset)
            for index in keep.indices where !marked.contains(dataset.records[index].id) { keep[index] = false }
        }
        if duplicates == .drop {
            for group in try grouping.report(try workspace()).groups {
                for id in group.ids.dropFirst() { if let index = dataset.index(ofID: id) { keep[index] = false } }
            }
        }
        var chosen = dataset.records.indices.filter { keep[$0] }
        // --level is the level --query ranks at and --duplicates compares at; a scene ranks by its best item of
        // that level.
        if let query {
            chosen = try Self.rank(query, level: grouping.level, in: try workspace(), keep: keep,
                                   top: minScore == nil ? (top ?? Self.defaultTop) : nil, minScore: minScore)
        }
        let records = chosen.map { dataset.records[$0] }
        try write(records, to: outURL)
    }

    /// Writes `records` in the chosen format and prints the summary.
    func write(_ records: [SceneRecord], to outURL: URL) throws {
        var summary = Summary(out: out == "-" ? "-" : outURL.path, format: format.rawValue, records: records.count,
                              objects: records.reduce(0) { $0 + $1.objects.count },
                              relations: records.reduce(0) { $0 + $1.relations.count })
        let reporter = records.count >= 500 ? ProgressReporter(label: "exporting", unit: "scenes") : nil
        let started = Date()
        let progress: SubsetWriter.Progress = { done, total in
            reporter?.update(done: done, total: total, elapsed: Date().timeIntervalSince(started))
        }
        defer { reporter?.finish() }
        switch format {
        case .paths:
            if out == "-" {
                FileHandle.standardOutput.write(Data(records.map { $0.imageFile + "\n" }.joined().utf8))
                return
            }
            try SubsetWriter.writePaths(records, to: outURL, force: force)
        case .coco:
            let document = try COCOExport(records: records, progress: progress)
            if out == "-" {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                FileHandle.standardOutput.write(try encoder.encode(document) + Data("\n".utf8))
                return
            }
            try document.write(to: outURL, force: force)
        case .reference:
            let written = try SubsetWriter.write(records, to: outURL, force: force, copyPictures: copy, progress: progress)
            summary.objects = written.objects
            summary.relations = written.relations
        }
        reporter?.finish()
        if output.json {
            try printJSON(summary)
        } else {
            print("\(summary.out): \(summary.records) scene(s), \(summary.objects) object(s), \(summary.relations) relation(s)")
        }
    }

    /// The ids listed in the file `path`, one a line; every id must be in the dataset.
    static func readIDs(_ path: String, in dataset: SceneDataset) throws -> Set<String> {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationError("\(path): cannot read the id list (\((error as NSError).localizedDescription))")
        }
        let listed = Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let unknown = listed.filter { dataset.index(ofID: $0) == nil }.sorted()
        if !unknown.isEmpty {
            throw ValidationError("\(path): \(unknown.count) id(s) not in the dataset, e.g. '\(unknown[0])'")
        }
        return listed
    }

    /// The parsed `--filter`; an `object:`, `action:` or `relation:` term that no class of the dataset (its
    /// `classes.json` and the records' own labels) contains is refused, naming the term.
    static func checkedFilter(_ text: String, for dataset: SceneDataset) throws -> SceneFilter {
        let filter = SceneFilter(text)
        let derived = SceneClasses.derived(from: dataset.records)
        let classes = SceneClasses(actions: dataset.classes.actions + derived.actions, objects: dataset.classes.objects + derived.objects,
                                   relations: dataset.classes.relations + derived.relations)
        let unknown = filter.unknownClasses(in: classes)
        if !unknown.isEmpty {
            let listed = unknown.map { "\($0.field.rawValue):'\($0.value)'" }.joined(separator: ", ")
            throw ValidationError("--filter: no class of the dataset contains \(listed) (the classes are in classes.json)")
        }
        return filter
    }

    /// Ids of the scenes with a mark of one of `verdicts` (on the scene, an object or a relation) in the cache.
    func markedScenes(_ verdicts: Set<AnnotationMark.Verdict>, in dataset: SceneDataset) throws -> Set<String> {
        let location = data.cache.map { URL(fileURLWithPath: $0) } ?? EmbeddingCache.defaultLocation(forDataset: dataset.root)
        guard FileManager.default.fileExists(atPath: location.path) else {
            printError("no embedding cache at \(location.path); no scene has marks yet")
            return []
        }
        let cache = try EmbeddingCache.open(at: location, options: CacheOptions(readOnly: true))
        return Set(try cache.marks().filter { verdicts.contains($0.verdict) }.map(\.sceneID))
    }

    /// Indices of the scenes still kept, ranked by `query` at `level` through ``Workspace/search(vector:level:k:)``
    /// (the search `scenarioclip query` runs); a scene scores its best item. Keeps the `top` best, or with `minScore`
    /// every scene scoring at least that, best first.
    static func rank(_ query: String, level: Level, in workspace: Workspace, keep: [Bool], top: Int?, minScore: Float?) throws -> [Int] {
        let expression: QueryExpression
        do { expression = try QueryExpression(parsing: query) } catch { throw ValidationError("--query: \(error)") }
        let vector = try workspace.queryVector(expression, level: level)
        let total = try workspace.vectors(level).sceneIDs.count
        // Items are fetched in growing batches until enough distinct kept scenes are found or every item is ranked.
        var k = min(total, max(64, 4 * min(top ?? 16, total)))
        while true {
            let hits = try workspace.search(vector: vector, level: level, k: k)
            var ranked: [Int] = []
            var seen = Set<Int>()
            for hit in hits {
                if let minScore, hit.score < minScore { break }
                guard let index = workspace.dataset.index(ofID: hit.sceneID), keep[index], seen.insert(index).inserted else { continue }
                ranked.append(index)
            }
            let enough: Bool
            if let top {
                enough = ranked.count >= top
            } else {
                // Hits come best first: once the last one is below the score, no further item can pass.
                enough = hits.last.map { hit in minScore.map { hit.score < $0 } ?? true } ?? true
            }
            if enough || k >= total { return top.map { Array(ranked.prefix($0)) } ?? ranked }
            k = min(total, k * 4)
        }
    }
}
