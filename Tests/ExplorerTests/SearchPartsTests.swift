import Explorer
import Testing

@Suite struct SearchPartsTests {
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
