import ArgumentParser
import CommandSupport
import Foundation
import Retrieval
import ScenarioModel
import Scenes
import SceneWorkspace

/// `scenarioclip map`: the 2-D neighbour-preserving map of a level's cached embeddings (computed once, then cached).
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "2-D map of a level's cached embeddings (UMAP-style, cached in the dataset's cache database).",
        discussion: """
            The map is computed once per model and level — a k-nearest-neighbour graph (exact for small levels, \
            through the IVF lists for large ones), laid out by stochastic gradient descent with negative sampling \
            from the two principal components — and stored in the cache; later runs and the explorer read it \
            back. It is recomputed when items were added since (or with --recompute). Prints one point per item: \
            scene id, item index, x, y, annotated label and split.
            """)

    @OptionGroup var data: DatasetOptions
    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .long, help: "Level whose embeddings are mapped.")
    var level: Level = .global
    @Flag(name: .long, help: "Compute the map even when one is cached.")
    var recompute = false
    @Option(name: .long, help: "Neighbours per point in the graph.")
    var neighbours = 15
    @Option(name: .long, help: "Layout epochs (default: 500 up to 10,000 points, 200 above).")
    var epochs: Int?
    @Option(name: .long, help: "Seed of the layout.")
    var seed: UInt64 = 42
    @Flag(name: .long, help: "Print comma-separated values (with a header line).")
    var csv = false
    @OptionGroup var autoIndex: AutoIndexOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard neighbours >= 2 && neighbours <= 200 else { throw ValidationError("--neighbours must be 2…200 (got \(neighbours))") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be positive (got \(epochs))") }
        if csv && output.json { throw ValidationError("--csv and --json cannot be combined") }
    }

    /// One mapped item as printed.
    struct Point: Encodable {
        var sceneID: String
        var item: Int
        var x: Float
        var y: Float
        var label: String
        var split: String
    }

    struct Output: Encodable {
        var level: String
        var modelFingerprint: String
        var method: String
        var computed: Bool
        var seconds: Double
        var points: [Point]
    }

    func run() throws {
        let workspace = try data.openWorkspace(model: modelOptions)
        try autoIndex.indexMissing(in: workspace)
        let started = Date()
        let reporter = ProgressReporter(label: "mapping", unit: "epochs")
        let settings = NeighbourMap.Settings(neighbours: neighbours, epochs: epochs, seed: seed)
        let (map, computed) = try workspace.embeddingMap(level, recompute: recompute, settings: settings) { done, total in
            reporter.update(done: done, total: total, elapsed: Date().timeIntervalSince(started))
        }
        reporter.finish()
        let seconds = Date().timeIntervalSince(started)
        let splits = workspace.dataset.splits()
        let points: [Point] = (0..<map.count).compactMap { row in
            guard let r = workspace.dataset.index(ofID: map.sceneIDs[row]) else { return nil }
            let record = workspace.dataset.records[r]
            let label = workspace.annotatedLabel(record: record, level: level, index: Int(map.itemIndices[row])) ?? ""
            return Point(sceneID: map.sceneIDs[row], item: Int(map.itemIndices[row]), x: map.coordinates[2 * row],
                         y: map.coordinates[2 * row + 1], label: label, split: splits[r].rawValue)
        }
        if output.json {
            try printJSON(Output(level: level.rawValue, modelFingerprint: workspace.model.fingerprint, method: map.method,
                                 computed: computed, seconds: seconds, points: points))
            return
        }
        if csv {
            print("scene_id,item,x,y,label,split")
            for p in points { print([csvField(p.sceneID), "\(p.item)", "\(p.x)", "\(p.y)", csvField(p.label), p.split].joined(separator: ",")) }
            return
        }
        printError(String(format: "%@ map of %d %@ item(s) %@ in %.2f s (%@)", level.rawValue, points.count, level.rawValue,
                          computed ? "computed and cached" : "read from the cache", seconds, map.method))
        let idWidth = max(5, points.map(\.sceneID.count).max() ?? 0)
        print("scene".padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  item         x         y  split  label")
        for p in points {
            print(p.sceneID.padding(toLength: idWidth, withPad: " ", startingAt: 0)
                + String(format: "  %4d  %8.3f  %8.3f  ", p.item, p.x, p.y) + p.split.padding(toLength: 5, withPad: " ", startingAt: 0)
                + "  " + p.label)
        }
    }

    func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
