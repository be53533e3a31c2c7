import Retrieval

/// The synthetic backend's vectors of one level: a Retrieval ``VectorIndex`` (unit rows, exact or int8-compact
/// search, as the workspace uses) plus the scene id and item index of every row.
public struct SceneVectors: Sendable {
    public let index: VectorIndex
    /// Scene id (or class label) of each row.
    public let sceneIDs: [String]
    /// Object or relation index of each row (0 for whole scenes).
    public let itemIndices: [Int]
    private let rowByKey: [String: Int]

    /// Indexes `values` (`[sceneIDs.count, width]`, row-major; rows are L2-normalised by the index).
    /// - Throws: ``ExplorerError/unavailable(_:)`` when a row is zero or the sizes disagree.
    public init(width: Int, values: [Float], sceneIDs: [String], itemIndices: [Int], compact: Bool? = nil) throws {
        precondition(sceneIDs.count == itemIndices.count, "one item index per scene id")
        guard values.count == sceneIDs.count * width else {
            throw ExplorerError.unavailable("vector matrix has \(values.count) values for \(sceneIDs.count) rows of \(width)")
        }
        let index: VectorIndex
        do {
            index = try VectorIndex(dimension: width, values: values, compact: compact)
        } catch {
            throw ExplorerError.unavailable("cannot index vectors: \(error)")
        }
        self.init(index: index, sceneIDs: sceneIDs, itemIndices: itemIndices)
    }

    /// Wraps an index already built; `sceneIDs` and `itemIndices` name its rows.
    public init(index: VectorIndex, sceneIDs: [String], itemIndices: [Int]) {
        precondition(index.count == sceneIDs.count && sceneIDs.count == itemIndices.count, "one scene id and item per row")
        self.index = index
        self.sceneIDs = sceneIDs
        self.itemIndices = itemIndices
        var keys: [String: Int] = [:]
        keys.reserveCapacity(sceneIDs.count)
        for r in sceneIDs.indices where keys[Self.key(sceneIDs[r], itemIndices[r])] == nil {
            keys[Self.key(sceneIDs[r], itemIndices[r])] = r
        }
        rowByKey = keys
    }

    static func key(_ id: String, _ item: Int) -> String { "\(id)#\(item)" }

    /// Number of rows.
    public var count: Int { sceneIDs.count }

    /// The row of a scene's item, or `nil`.
    public func row(sceneID: String, item: Int) -> Int? { rowByKey[Self.key(sceneID, item)] }

    /// Row `row` (unit length).
    public func vector(_ row: Int) -> [Float] { index.vector(at: row) }

    /// The `limit` rows most similar to `query`, best first: `(row, cosine)`.
    /// Complexity: one pass over the index (BLAS or int8 scan), see ``VectorIndex/search(_:k:)``.
    public func top(_ query: [Float], limit: Int) throws -> [(Int, Float)] {
        do {
            return try index.search(query, k: limit).map { ($0.row, $0.score) }
        } catch {
            throw ExplorerError.query("\(error)")
        }
    }
}
