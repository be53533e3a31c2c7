import ArgumentParser
import Foundation
import Retrieval
import ScenarioModel
import SceneWorkspace

/// `scenarioclip query`: ranks scenes, object regions or relation regions for a text, image or combined query.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Rank scenes, object regions or relation regions by cosine similarity to a query.",
        discussion: """
            The query is text (`dog on a table`), an image (`--image photo.jpg`, or `@photo.jpg` / `img:photo.jpg`
            inside an expression) or a weighted combination: '"2:dog" + "ball" - "grass"'.
            Items not cached yet for the model are embedded first (--no-index: search only what is cached).
            """)

    @Argument(help: ArgumentHelp("Dataset folder.", valueName: "dataset"))
    var dataset: String
    @Argument(help: ArgumentHelp("Query text or expression.", valueName: "query"))
    var query: String?
    @Option(name: .long, help: ArgumentHelp("Query by this image (combined with the text when both are given).", valueName: "file"))
    var image: String?
    @Option(name: .long, help: "Level to search, or all.")
    var level: LevelChoice = .global
    @Option(name: .long, help: "Number of results per level.")
    var top = 10
    @Option(name: .long, help: ArgumentHelp("Embedding cache database.", valueName: "path"))
    var cache: String?
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard query != nil || image != nil else { throw ValidationError("give a query text or --image") }
        guard top > 0 else { throw ValidationError("--top must be positive") }
    }

    func run() throws {
        var terms: [QueryExpression.Term] = []
        if let query { terms += try QueryExpression(parsing: query).terms }
        if let image { terms.append(.init(.image(path: image))) }
        let expression = QueryExpression(terms: terms)
        // --no-index writes nothing, so a cache on read-only media is opened read-only.
        let workspace = try DatasetOptions(dataset: dataset, cache: cache)
            .openWorkspace(model: modelOptions, readOnlyFallback: autoIndex.noIndex)
        try autoIndex.indexMissing(in: workspace)
        let levels = level.levels
        var results: [WorkspaceHit] = []
        for level in levels { results += try workspace.search(expression, level: level, k: top) }
        if output.json {
            try printJSON(results.map { QueryResult(hit: $0, workspace: workspace) })
            return
        }
        for level in levels {
            let hits = results.filter { $0.level == level }
            print("\(level.rawValue) — \(hits.count) result(s)")
            for (rank, hit) in hits.enumerated() {
                let box = hit.region.map { "  box \([$0.x1, $0.y1, $0.x2, $0.y2])" } ?? ""
                print(String(format: "%3d. %.4f  ", rank + 1, hit.score) + "scene \(hit.sceneID)  \(hit.label)\(box)")
            }
        }
    }
}

extension DatasetOptions {
    init(dataset: String?, cache: String?) {
        self.init()
        self.dataset = dataset
        self.cache = cache
    }
}

/// JSON form of one query hit.
struct QueryResult: Encodable {
    var scene: String
    var level: String
    var index: Int
    var score: Float
    var label: String
    /// Object box, or the union of a relation's subject and object boxes: `[x1, y1, x2, y2]`.
    var box: [Int]?
    var image: String?

    init(hit: WorkspaceHit, workspace: Workspace) {
        scene = hit.sceneID
        level = hit.level.rawValue
        index = hit.index
        score = hit.score
        label = hit.label
        image = workspace.dataset.record(id: hit.sceneID)?.imagePath.path
        box = hit.region.map { [$0.x1, $0.y1, $0.x2, $0.y2] }
    }
}
