import Numerics
import Synthetic
import Testing

@testable import Retrieval

/// Brute-force reference: scores of every unit row, sorted by score then row.
private func bruteForce(_ rows: [[Float]], _ query: [Float], k: Int) -> [SearchHit] {
    func unit(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        return v.map { Float(Double($0) / n) }
    }
    let q = unit(query)
    let hits = rows.enumerated().map { i, r in
        SearchHit(row: i, score: Float(zip(unit(r), q).reduce(0) { $0 + Double($1.0) * Double($1.1) }))
    }
    return Array(hits.sorted(by: SearchHit.ranksBefore).prefix(k))
}

private func randomRows(_ n: Int, _ d: Int, seed: UInt64) -> [[Float]] {
    var rng = SplitMix64(seed: seed)
    return (0..<n).map { _ in (0..<d).map { _ in rng.nextGaussian() } }
}

@Suite struct VectorIndexTests {
    @Test func exactSearchEqualsBruteForce() throws {
        var rows = randomRows(1500, 48, seed: 7)
        rows[900] = rows[10]  // exact tie: the lower row must come first
        rows[901] = rows[10].map { $0 * 3 }  // same direction, different length
        let index = try VectorIndex(rows: rows, dimension: 48, compact: false)
        var queries = randomRows(20, 48, seed: 8)
        queries.append(rows[10])
        for q in queries {
            let got = try index.exactSearch(q, k: 12)
            let want = bruteForce(rows, q, k: 12)
            #expect(got.count == 12)
            // Same rows in the same order (random data has no near-ties); float32 BLAS vs float64 scores.
            #expect(got.map(\.row) == want.map(\.row))
            for (g, w) in zip(got, want) { #expect(abs(g.score - w.score) < 1e-5) }
        }
        // Identical unit rows tie exactly: the lower row ranks first.
        let top = try index.exactSearch(rows[10], k: 3).map(\.row)
        #expect(Set(top) == [10, 900, 901])
        #expect(top.firstIndex(of: 10)! < top.firstIndex(of: 900)!)
    }

    @Test func batchSearchEqualsSingleSearch() throws {
        let rows = randomRows(700, 32, seed: 3)
        let index = try VectorIndex(rows: rows, dimension: 32)
        let queries = randomRows(5, 32, seed: 4)
        let batch = try index.exactSearch(queries: queries, k: 7)
        for (q, b) in zip(queries, batch) {
            let single = try index.exactSearch(q, k: 7)
            #expect(single.map(\.row) == b.map(\.row))
            for (s, t) in zip(single, b) { #expect(abs(s.score - t.score) < 1e-5) }
        }
    }

    @Test func kLargerThanCountAndEmptyIndex() throws {
        let index = try VectorIndex(rows: randomRows(5, 8, seed: 1), dimension: 8)
        #expect(try index.exactSearch([1, 0, 0, 0, 0, 0, 0, 0], k: 50).count == 5)
        let empty = try VectorIndex(rows: [], dimension: 8)
        #expect(try empty.exactSearch([1, 0, 0, 0, 0, 0, 0, 0], k: 5).isEmpty)
    }

    @Test func compactSearchRecallOnClusteredData() throws {
        let gen = SyntheticEmbeddings(dimension: 64, clusters: 40, spread: 0.6, seed: 11)
        let n = 20_000
        let index = try VectorIndex(dimension: 64, count: n, compact: true) { i, row in gen.write(item: i, into: row) }
        #expect(index.isCompact)
        var found = 0, total = 0
        for qi in 0..<40 {
            let q = gen.vector(item: qi, stream: 1)
            let exact = Set(try index.exactSearch(q, k: 10).map(\.row))
            let approx = try index.compactSearch(q, k: 10)
            found += approx.filter { exact.contains($0.row) }.count
            total += 10
            // Re-ranked scores are exact.
            for h in approx { #expect(abs(h.score - zip(index.vector(at: h.row), try index.normalizedQuery(q)).map(*).reduce(0, +)) < 1e-5) }
        }
        let recall = Double(found) / Double(total)
        #expect(recall >= 0.99, "recall@10 = \(recall)")
    }

    @Test func errorsNameTheProblem() throws {
        #expect(throws: RetrievalError.dimensionMismatch(expected: 3, actual: 2, what: "row 1")) {
            try VectorIndex(rows: [[1, 2, 3], [1, 2]], dimension: 3)
        }
        #expect(throws: RetrievalError.degenerateVector(what: "row 1")) {
            try VectorIndex(rows: [[1, 2, 3], [0, 0, 0]], dimension: 3)
        }
        let index = try VectorIndex(rows: [[1, 2, 3]], dimension: 3)
        #expect(throws: RetrievalError.dimensionMismatch(expected: 3, actual: 4, what: "query vector")) {
            try index.exactSearch([1, 2, 3, 4], k: 1)
        }
        #expect(throws: RetrievalError.degenerateVector(what: "query vector")) {
            try index.exactSearch([0, 0, 0], k: 1)
        }
        #expect("\(RetrievalError.degenerateVector(what: "row 1"))".contains("row 1"))
    }

    @Test func topKKeepsBestWithDeterministicTies() {
        var top = TopK(k: 4)
        let scores: [Float] = [0.5, 0.9, 0.5, 0.1, 0.9, 0.7, .nan, 0.5]
        for (i, s) in scores.enumerated() { top.offer(row: i, score: s) }
        #expect(top.sorted() == [
            SearchHit(row: 1, score: 0.9), SearchHit(row: 4, score: 0.9), SearchHit(row: 5, score: 0.7),
            SearchHit(row: 0, score: 0.5),
        ])
    }
}
