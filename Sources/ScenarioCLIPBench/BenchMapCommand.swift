import ArgumentParser
import EmbeddingCache
import Foundation
import Numerics
import Retrieval
import Synthetic

/// `scenarioclip bench map`: the 2-D embedding map over synthetic clustered vectors — time to compute, time to
/// open from the cache, and how many of each point's nearest neighbours it keeps compared with PCA.
struct BenchMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Embedding map: compute time (graph, PCA, layout), open-from-cache time, neighbours kept vs PCA.",
        discussion: """
            Builds COUNT clustered unit vectors (Retrieval's SyntheticEmbeddings) and IVF lists for them, then times \
            the neighbour graph (through the lists), the principal components and the layout. The graph's recall is \
            measured against exact search on a sample; "neighbours kept" is the fraction of each sampled point's 10 \
            nearest neighbours in the original space that are among its 10 nearest in 2-D, for the map and for the \
            two principal components. With --cache, the vectors and the map are written to a temporary cache and \
            the map is read back as the explorer opens it (best of --repeats).
            """)

    @Option(help: "Number of vectors.")
    var count = 100_000
    @Option(help: "Vector dimension.")
    var dimension = 512
    @Option(help: "Clusters in the synthetic collection.")
    var clusters = 100
    @Option(help: "Noise norm relative to a cluster centre.")
    var spread: Float = 0.6
    @Option(help: "Layout epochs (default: 200 above 10,000 points).")
    var epochs: Int?
    @Option(help: "Points sampled for recall and neighbours kept.")
    var sample = 500
    @Flag(help: "Skip the cache round trip.")
    var noCache = false
    @Option(help: "Timed repetitions of the cache read (the best is reported).")
    var repeats = 3

    func run() throws {
        print("bench map: \(count) vectors × \(dimension), \(clusters) clusters, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let embeddings = SyntheticEmbeddings(dimension: dimension, clusters: clusters, spread: spread, seed: 42)
        let index = try VectorIndex(dimension: dimension, count: count, compact: false,
                                    parallelRows: { row, out in embeddings.write(item: row, into: out) })
        var t = Date()
        let centroids = IVFIndex.trainCentroids(base: index)
        let assignments = IVFIndex.assign(base: index, centroids: centroids)
        let listSeconds = Date().timeIntervalSince(t)
        print(String(format: "  IVF lists: %d in %.1f s (stored with the index in real use)", centroids.count / dimension, listSeconds))
        let settings = NeighbourMap.Settings(epochs: epochs)
        t = Date()
        let graph = NeighbourGraph.build(index, k: settings.neighbours, centroids: centroids, assignments: assignments)
        let graphSeconds = Date().timeIntervalSince(t)
        let recall = try graph.recall(against: index, sample: sample)
        print(String(format: "  neighbour graph (k=%d): %.1f s, recall@%d vs exact %.3f", graph.k, graphSeconds, graph.k, recall))
        t = Date()
        let pca = PrincipalComponents.project(index, components: 2)
        let pcaSeconds = Date().timeIntervalSince(t)
        print(String(format: "  principal components: %.1f s", pcaSeconds))
        t = Date()
        let map = NeighbourMap.layout(graph: graph, initial: pca, settings: settings)
        let layoutSeconds = Date().timeIntervalSince(t)
        print(String(format: "  layout: %.1f s", layoutSeconds))
        print(String(format: "  total map time (graph + PCA + layout): %.1f s", graphSeconds + pcaSeconds + layoutSeconds))
        let kept = MapQuality.neighbourPreservation(index, coordinates: map.coordinates, k: 10, sample: sample)
        let pcaKept = MapQuality.neighbourPreservation(index, coordinates: pca, k: 10, sample: sample)
        print(String(format: "  10 nearest neighbours kept in 2-D: map %.3f, PCA %.3f (%d sampled points)", kept, pcaKept, sample))
        if !noCache { try cacheRoundTrip(map.coordinates, index: index) }
    }

    /// Writes the vectors and the map into a temporary cache, then times reading the map back from a fresh open.
    private func cacheRoundTrip(_ coordinates: [Float], index: VectorIndex) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("scenarioclip-bench-map-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let url = work.appendingPathComponent("cache.sqlite")
        do {
            let cache = try EmbeddingCache.open(at: url)
            var items: [DatasetItem] = []
            items.reserveCapacity(count)
            for start in stride(from: 0, to: count, by: 5000) {
                try cache.write { writer in
                    for i in start..<min(start + 5000, count) {
                        let key = ItemKey.image(ContentHash(hex: String(i, radix: 16)))
                        try writer.storeVector(index.vector(at: i), for: key, fingerprint: "bench", level: .global)
                        items.append(DatasetItem(sceneID: "scene-\(i)", level: .global, index: 0, key: key))
                    }
                }
            }
            try cache.write { try $0.replaceAllItems(items) }
            let loaded = try cache.loadLevel(fingerprint: "bench", level: .global)
            try cache.write { try $0.storeEmbeddingMap(coordinates, for: loaded, fingerprint: "bench", level: .global, method: "bench") }
        }
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let start = Date()
            let cache = try EmbeddingCache.open(at: url)
            guard let map = try cache.embeddingMap(fingerprint: "bench", level: .global), map.count == count, map.missing == 0 else {
                throw ValidationError("the map read back does not cover the \(count) items written")
            }
            best = min(best, Date().timeIntervalSince(start))
        }
        print(String(format: "  open from cache (open database + read map onto %d items): %.0f ms (best of %d)", count, best * 1000, repeats))
    }
}
