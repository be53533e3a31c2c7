import Explorer
import Testing

@Suite struct SearchPartsTests {
    @Test func plainTextAndWeightedExpressionsCombineTermVectors() throws {
        // Each text embeds to a basis direction; the combination is normalise(Σ w·v).
        let basis: [String: [Float]] = ["dog": [1, 0, 0], "ball": [0, 1, 0], "grass": [0, 0, 1]]
        var calls: [[String]] = []
        let embed: ([String]) throws -> [[Float]] = { texts in
            calls.append(texts)
            return texts.map { basis[$0]! }
        }
        #expect(try SceneVectors.queryVector("dog", embed: embed) == [1, 0, 0])
        let combined = try SceneVectors.queryVector(#""2:dog" + "ball" - "grass""#, embed: embed)
        let norm = Float(6).squareRoot()
        #expect(zip(combined, [2 / norm, 1 / norm, -1 / norm]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(calls.last == ["dog", "ball", "grass"])  // one embedding call for all terms
    }

    @Test func badExpressionsAndImageTermsAreQueryErrors() {
        let embed: ([String]) throws -> [[Float]] = { $0.map { _ in [1, 0] } }
        #expect(throws: ExplorerError.self) { try SceneVectors.queryVector(#""dog" + "ball"#, embed: embed) }
        #expect(throws: ExplorerError.self) { try SceneVectors.queryVector(#""dog" + "img:a.jpg""#, embed: embed) }
        #expect(throws: ExplorerError.self) { try SceneVectors.queryVector(#""dog" - "dog""#, embed: embed) }
    }

    @Test func topRanksByCosineAndFindsRows() throws {
        // Not unit length: the index normalises, so ranking depends on direction only.
        let vectors = try SceneVectors(width: 3, values: [
            10, 0, 0,
            0, 2, 0,
            1, 1, 0,
            0, 1, 3,
        ], sceneIDs: ["a", "b", "c", "d"], itemIndices: [0, 0, 1, 0])
        let top = try vectors.top([1, 0.2, 0], limit: 2)
        #expect(top.map(\.0) == [0, 2])
        #expect(abs(top[0].1 - 1 / Float(1.04).squareRoot()) < 1e-5)
        #expect(vectors.row(sceneID: "c", item: 1) == 2)
        #expect(vectors.row(sceneID: "c", item: 0) == nil)
        #expect(try vectors.top([0, 0, 1], limit: 10).count == 4)
    }

    @Test func zeroRowsAreRefusedWithAReason() {
        #expect(throws: ExplorerError.self) {
            try SceneVectors(width: 2, values: [1, 0, 0, 0], sceneIDs: ["a", "b"], itemIndices: [0, 0])
        }
    }
}
