import Dispatch

/// L2-normalised vectors `[rows, width]` with a label and item index per row, searched by cosine
/// similarity (a dot product, since rows and queries are unit length).
public struct NormalizedVectors: Sendable {
    public let rows: Int
    public let width: Int
    /// Row-major `[rows, width]`.
    public let values: [Float]
    /// Scene id (or class label) of each row.
    public let sceneIDs: [String]
    /// Object or relation index of each row (0 for whole scenes).
    public let itemIndices: [Int]
    private let rowByKey: [String: Int]

    /// Normalises every row of `values` (`[rows, width]`); zero rows stay zero.
    public init(rows: Int, width: Int, values: [Float], sceneIDs: [String], itemIndices: [Int]) {
        precondition(values.count == rows * width && sceneIDs.count == rows && itemIndices.count == rows,
            "vectors, ids and indices must agree")
        var normalized = values
        normalized.withUnsafeMutableBufferPointer { buffer in
            for r in 0..<rows {
                var sum: Float = 0
                for j in 0..<width { sum += buffer[r * width + j] * buffer[r * width + j] }
                let scale: Float = sum > 0 ? 1 / sum.squareRoot() : 0
                for j in 0..<width { buffer[r * width + j] *= scale }
            }
        }
        self.rows = rows
        self.width = width
        self.values = normalized
        self.sceneIDs = sceneIDs
        self.itemIndices = itemIndices
        var keys: [String: Int] = [:]
        keys.reserveCapacity(rows)
        for r in 0..<rows where keys["\(sceneIDs[r])#\(itemIndices[r])"] == nil { keys["\(sceneIDs[r])#\(itemIndices[r])"] = r }
        rowByKey = keys
    }

    /// `vector` scaled to unit length (unchanged when zero).
    public static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    /// The row of a scene's item, or `nil`.
    public func row(sceneID: String, item: Int) -> Int? { rowByKey["\(sceneID)#\(item)"] }

    /// Row `row` as an array.
    public func vector(_ row: Int) -> [Float] { Array(values[row * width..<(row + 1) * width]) }

    /// The `limit` rows most similar to `query` (unit length, `width` long), best first, with scores.
    /// Complexity: O(rows × width), split over two threads for large matrices.
    public func top(_ query: [Float], limit: Int) -> [(Int, Float)] {
        precondition(query.count == width, "query width \(query.count) ≠ \(width)")
        guard rows > 0, limit > 0 else { return [] }
        var scores = [Float](repeating: 0, count: rows)
        let chunks = rows >= 20_000 ? 4 : 1
        values.withUnsafeBufferPointer { matrix in
            query.withUnsafeBufferPointer { q in
                scores.withUnsafeMutableBufferPointer { out in
                    // Safe because each chunk writes a disjoint range and the buffers outlive concurrentPerform.
                    nonisolated(unsafe) let out = out
                    nonisolated(unsafe) let matrix = matrix
                    nonisolated(unsafe) let q = q
                    let per = (rows + chunks - 1) / chunks
                    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                        let start = chunk * per, end = min(rows, start + per)
                        guard start < end else { return }
                        for r in start..<end {
                            var sum: Float = 0
                            let base = r * width
                            for j in 0..<width { sum += matrix[base + j] * q[j] }
                            out[r] = sum
                        }
                    }
                }
            }
        }
        // Partial selection: keep the best `limit` in a small sorted buffer.
        var best: [(Int, Float)] = []
        best.reserveCapacity(limit + 1)
        for (r, s) in scores.enumerated() {
            if best.count == limit, let last = best.last, s <= last.1 { continue }
            let at = best.firstIndex { s > $0.1 } ?? best.count
            best.insert((r, s), at: at)
            if best.count > limit { best.removeLast() }
        }
        return best
    }
}
