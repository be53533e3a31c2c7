import Explorer
import Testing

@Suite struct SearchPartsTests {
    @Test func plainTextIsOneTerm() throws {
        #expect(try QueryText.parse("  dog chasing ball ") == [QueryText.Term("dog chasing ball", 1)])
    }

    @Test func weightedExpressionParses() throws {
        #expect(try QueryText.parse(#""2:dog" + "ball" - "grass""#) == [
            QueryText.Term("dog", 2), QueryText.Term("ball", 1), QueryText.Term("grass", -1),
        ])
        #expect(try QueryText.parse(#"- "0.5: cat""#) == [QueryText.Term("cat", -0.5)])
    }

    @Test func badExpressionsNameTheColumn() {
        #expect(throws: ExplorerError.query("unclosed quote at column 9")) { try QueryText.parse(#""dog" + "ball"#) }
        #expect(throws: ExplorerError.query("expected + or - at column 7")) { try QueryText.parse(#""dog" "ball""#) }
        #expect(throws: ExplorerError.query("expression ends with an operator")) { try QueryText.parse(#""dog" +"#) }
        #expect(throws: ExplorerError.query("empty query")) { try QueryText.parse("   ") }
    }

    @Test func topRanksByCosineAndFindsRows() {
        // Four 3-d vectors, not unit length: normalisation makes ranking depend on direction only.
        let vectors = NormalizedVectors(rows: 4, width: 3, values: [
            10, 0, 0,
            0, 2, 0,
            1, 1, 0,
            0, 0, 0,
        ], sceneIDs: ["a", "b", "c", "d"], itemIndices: [0, 0, 1, 0])
        let top = vectors.top(NormalizedVectors.normalized([1, 0.2, 0]), limit: 2)
        #expect(top.map(\.0) == [0, 2])
        #expect(abs(top[0].1 - 1 / Float(1.04).squareRoot()) < 1e-5)
        #expect(vectors.row(sceneID: "c", item: 1) == 2)
        #expect(vectors.row(sceneID: "c", item: 0) == nil)
        #expect(vectors.top([0, 0, 1], limit: 10).count == 4)
    }

    @Test func largeMatricesGiveTheSameAnswerInParallel() {
        let rows = 25_000, width = 8
        var values = [Float](repeating: 0.01, count: rows * width)
        values[12_345 * width + 3] = 5
        values[24_999 * width + 3] = 4
        let vectors = NormalizedVectors(rows: rows, width: width, values: values, sceneIDs: (0..<rows).map(String.init), itemIndices: Array(repeating: 0, count: rows))
        var q = [Float](repeating: 0, count: width)
        q[3] = 1
        #expect(vectors.top(q, limit: 2).map(\.0) == [12_345, 24_999])
    }
}
