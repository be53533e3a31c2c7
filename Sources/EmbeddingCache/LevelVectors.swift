import Numerics

/// Every cached vector of one (model, level) for the dataset's current items, as one contiguous matrix.
public struct LevelVectors: Sendable {
    /// Row-major vectors `[count, width]`, in dataset item order.
    public var matrix: Tensor
    /// Scene id of each row.
    public var sceneIDs: [String]
    /// Object or relation index of each row (0 for the global level).
    public var itemIndices: [Int32]
    /// The stored IVF layout of this (model, level) mapped onto these rows, when one was stored with the
    /// same width (see ``CacheWriteBatch/storeSearchLists(_:for:fingerprint:level:)``).
    public var searchLists: SearchLists?
    /// The cache's key id of each row (empty for matrices not loaded from a cache).
    var keyIDs: [Int64] = []

    public init(matrix: Tensor, sceneIDs: [String], itemIndices: [Int32], searchLists: SearchLists? = nil) {
        precondition(matrix.rank == 2 && matrix.shape[0] == sceneIDs.count && sceneIDs.count == itemIndices.count,
                     "matrix rows, scene ids and indices must agree")
        precondition(searchLists.map { $0.assignments.count == sceneIDs.count } ?? true, "one list assignment per row")
        self.matrix = matrix
        self.sceneIDs = sceneIDs
        self.itemIndices = itemIndices
        self.searchLists = searchLists
    }

    /// Number of rows.
    public var count: Int { sceneIDs.count }
    /// Vector width (0 when empty).
    public var width: Int { matrix.shape[1] }
}
