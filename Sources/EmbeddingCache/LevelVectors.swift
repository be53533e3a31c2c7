import Numerics

/// Every cached vector of one (model, level) for the dataset's current items, as one contiguous matrix.
public struct LevelVectors: Sendable {
    /// Row-major vectors `[count, width]`, in dataset item order.
    public var matrix: Tensor
    /// Scene id of each row.
    public var sceneIDs: [String]
    /// Object or relation index of each row (0 for the global level).
    public var itemIndices: [Int32]

    public init(matrix: Tensor, sceneIDs: [String], itemIndices: [Int32]) {
        precondition(matrix.rank == 2 && matrix.shape[0] == sceneIDs.count && sceneIDs.count == itemIndices.count,
                     "matrix rows, scene ids and indices must agree")
        self.matrix = matrix
        self.sceneIDs = sceneIDs
        self.itemIndices = itemIndices
    }

    /// Number of rows.
    public var count: Int { sceneIDs.count }
    /// Vector width (0 when empty).
    public var width: Int { matrix.shape[1] }
}
