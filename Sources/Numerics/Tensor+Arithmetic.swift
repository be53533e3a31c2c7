extension Tensor {
    /// Adds `other` element-wise in place; shapes must have the same element count. `O(count)`, SIMD.
    public mutating func add(_ other: Tensor) {
        precondition(count == other.count, "add: \(shape) and \(other.shape) differ in size")
        other.withUnsafeBufferPointer { b in
            withUnsafeMutableBufferPointer { a in
                VectorKernels.add(a.baseAddress!, b.baseAddress!, a.baseAddress!, a.count)
            }
        }
    }

    /// Element-wise sum; shapes must have the same element count (result takes `self`'s shape).
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        var result = lhs
        result.add(rhs)
        return result
    }

    /// Adds `row` (`[width]`) to every row of the tensor read as `[rows, width]`, in place.
    public mutating func addRowVector(_ row: Tensor) {
        let width = rowWidth
        precondition(row.count == width, "row vector of \(row.count) does not match width \(width)")
        let rows = rowCount
        row.withUnsafeBufferPointer { b in
            withUnsafeMutableBufferPointer { a in
                for r in 0..<rows {
                    let p = a.baseAddress! + r * width
                    VectorKernels.add(p, b.baseAddress!, p, width)
                }
            }
        }
    }

    /// Multiplies every element by `factor` in place.
    public mutating func scale(by factor: Float) {
        withUnsafeMutableBufferPointer { VectorKernels.scale($0.baseAddress!, $0.count, by: factor) }
    }

    /// Each row (last dimension) divided by its Euclidean norm; all-zero rows stay zero.
    public func l2NormalizedRows() -> Tensor {
        let width = rowWidth
        var result = self
        result.withUnsafeMutableBufferPointer { p in
            for r in 0..<rowCount {
                let row = p.baseAddress! + r * width
                let norm = VectorKernels.dot(row, row, width).squareRoot()
                if norm > 0 { VectorKernels.scale(row, width, by: 1 / norm) }
            }
        }
        return result
    }

    /// Σ self[i]·other[i] over all elements (same element count).
    public func dot(_ other: Tensor) -> Float {
        precondition(count == other.count, "dot: \(shape) and \(other.shape) differ in size")
        return withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in VectorKernels.dot(a.baseAddress!, b.baseAddress!, a.count) }
        }
    }

    /// Cosine similarity of two equally sized tensors read as flat vectors (0 when either is all zero).
    public func cosineSimilarity(_ other: Tensor) -> Float {
        let denominator = (dot(self) * other.dot(other)).squareRoot()
        return denominator > 0 ? dot(other) / denominator : 0
    }

    /// Largest absolute element-wise difference to an equally sized tensor.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(count == other.count, "compare: \(shape) and \(other.shape) differ in size")
        return withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                var worst: Float = 0
                for i in 0..<a.count { worst = max(worst, abs(a[i] - b[i])) }
                return worst
            }
        }
    }
}
