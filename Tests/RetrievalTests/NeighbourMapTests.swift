import Numerics
import Synthetic
import Testing

@testable import Retrieval

@Suite struct NeighbourMapTests {
    /// `clusters` clusters of `perCluster` unit rows in `dimension`-D, each spread along its own random 3-D
    /// subspace (a low intrinsic dimension, as embeddings of varied scenes of one kind have), plus small noise.
    static func manifoldClusters(clusters: Int = 8, perCluster: Int = 150, dimension: Int = 48, seed: UInt64 = 9)
        throws -> (VectorIndex, [Int])
    {
        var rng = SplitMix64(seed: seed)
        var values: [Float] = []
        var labels: [Int] = []
        for c in 0..<clusters {
            let centre = (0..<dimension).map { _ in rng.nextGaussian() }
            let basis = (0..<3).map { _ in (0..<dimension).map { _ in rng.nextGaussian() * 0.45 } }
            for _ in 0..<perCluster {
                let t = (0..<3).map { _ in rng.nextGaussian() }
                for j in 0..<dimension {
                    values.append(centre[j] + t[0] * basis[0][j] + t[1] * basis[1][j] + t[2] * basis[2][j] + 0.02 * rng.nextGaussian())
                }
                labels.append(c)
            }
        }
        return (try VectorIndex(dimension: dimension, values: values, compact: false), labels)
    }

    @Test func exactGraphMatchesExactSearch() throws {
        let (index, _) = try Self.manifoldClusters(clusters: 3, perCluster: 60)
        let graph = NeighbourGraph.build(index, k: 7)
        for row in [0, 17, 101, 179] {
            let expected = try index.exactSearch(index.vector(at: row), k: 8).map(\.row).filter { $0 != row }.prefix(7)
            #expect(graph.neighbours[(row * 7)..<(row * 7 + 7)].map(Int.init) == Array(expected))
        }
        #expect(try graph.recall(against: index, sample: 50) == 1)
    }

    @Test func listGraphFindsMostExactNeighbours() throws {
        let gen = SyntheticEmbeddings(dimension: 32, clusters: 40, spread: 0.8, seed: 5)
        let index = try VectorIndex(dimension: 32, count: 6000, compact: false) { i, row in gen.write(item: i, into: row) }
        let graph = NeighbourGraph.build(index, k: 10, exact: false)
        let recall = try graph.recall(against: index, sample: 200)
        #expect(recall > 0.85, "recall \(recall)")
        // No row is its own neighbour and every slot is filled.
        for row in 0..<graph.count {
            let slots = graph.neighbours[(row * 10)..<((row + 1) * 10)]
            #expect(!slots.contains(Int32(row)) && !slots.contains(-1))
        }
    }

    @Test func sameSeedSameMap() throws {
        let (index, _) = try Self.manifoldClusters(clusters: 3, perCluster: 80)
        let settings = NeighbourMap.Settings(epochs: 60, seed: 3)
        let first = NeighbourMap.compute(index, settings: settings)
        let second = NeighbourMap.compute(index, settings: settings)
        #expect(first.coordinates == second.coordinates)
        let other = NeighbourMap.compute(index, settings: NeighbourMap.Settings(epochs: 60, seed: 4))
        #expect(other.coordinates != first.coordinates)
        #expect(first.coordinates.allSatisfy { $0.isFinite })
    }

    /// Clusters stay apart in the map, and the map keeps more of each row's 10 nearest neighbours than the two
    /// principal components do.
    @Test func clustersSeparateAndNeighboursBeatPCA() throws {
        let (index, labels) = try Self.manifoldClusters()
        let map = NeighbourMap.compute(index)
        let pca = PrincipalComponents.project(index, components: 2)
        let agreement = MapQuality.labelAgreement(coordinates: map.coordinates, labels: labels)
        let pcaAgreement = MapQuality.labelAgreement(coordinates: pca, labels: labels)
        #expect(agreement > 0.97, "map label agreement \(agreement)")
        #expect(agreement > pcaAgreement, "map \(agreement) vs PCA \(pcaAgreement)")
        let kept = MapQuality.neighbourPreservation(index, coordinates: map.coordinates, sample: index.count)
        let pcaKept = MapQuality.neighbourPreservation(index, coordinates: pca, sample: index.count)
        #expect(kept > pcaKept + 0.1, "map keeps \(kept) of the 10 nearest, PCA \(pcaKept)")
    }

    @Test func principalAxesAreTheLargestVarianceDirections() throws {
        // Rows spread 3× more along axis 0 than axis 1, and barely along the rest.
        var rng = SplitMix64(seed: 1)
        var values: [Float] = []
        for _ in 0..<2000 {
            var v = [Float](repeating: 0, count: 8)
            v[0] = 3 * rng.nextGaussian()
            v[1] = rng.nextGaussian()
            for j in 2..<8 { v[j] = 0.05 * rng.nextGaussian() }
            v[7] += 20  // an offset keeps rows away from zero before normalisation
            values += v
        }
        let index = try VectorIndex(dimension: 8, values: values, compact: false)
        let axes = PrincipalComponents.axes(index, components: 2)
        #expect(abs(axes[0]) > 0.95, "first axis \(axes[0..<8])")
        #expect(abs(axes[8 + 1]) > 0.95, "second axis \(axes[8..<16])")
    }

    @Test func tinyInputsDoNotTrap() throws {
        let one = try VectorIndex(dimension: 4, values: [1, 0, 0, 0], compact: false)
        #expect(NeighbourMap.compute(one).count == 1)
        let three = try VectorIndex(dimension: 4, values: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], compact: false)
        #expect(NeighbourMap.compute(three).coordinates.allSatisfy { $0.isFinite })
    }
}
