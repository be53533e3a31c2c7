/// One search result: a row of the index and its cosine similarity to the query.
public struct SearchHit: Sendable, Hashable, CustomStringConvertible {
    /// Row index in the ``VectorIndex``.
    public let row: Int
    /// Cosine similarity (dot product of unit vectors).
    public let score: Float

    public init(row: Int, score: Float) {
        self.row = row
        self.score = score
    }

    /// Ranking order: higher score first, then lower row (deterministic ties).
    @inlinable
    public static func ranksBefore(_ a: SearchHit, _ b: SearchHit) -> Bool {
        a.score > b.score || (a.score == b.score && a.row < b.row)
    }

    public var description: String { "#\(row) \(score)" }
}
