extension Tensor {
    /// Length of the last dimension (1 for a scalar tensor).
    public var rowWidth: Int { shape.last ?? 1 }

    /// Number of rows when the tensor is read as a `[rows, rowWidth]` matrix.
    public var rowCount: Int { rowWidth == 0 ? 0 : count / rowWidth }

    /// The rows `indices` of the tensor read as `[rows, width]`, gathered into `[indices.count, width]` (copies).
    public func gatherRows(_ indices: [Int]) -> Tensor {
        let width = rowWidth
        let rows = rowCount
        return Tensor(shape: [indices.count, width]) { out in
            withUnsafeBufferPointer { src in
                for (r, index) in indices.enumerated() {
                    precondition(index >= 0 && index < rows, "row \(index) out of range 0..<\(rows)")
                    (out.baseAddress! + r * width).update(from: src.baseAddress! + index * width, count: width)
                }
            }
        }
    }

    /// The tensor's elements along the first dimension from `range` (copies), e.g. images `2..<5` of a batch.
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1, "cannot slice a scalar tensor")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[0], "slice \(range) out of 0..<\(shape[0])")
        let inner = shape.dropFirst().reduce(1, *)
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape) { out in
            withUnsafeBufferPointer { src in
                out.baseAddress!.update(from: src.baseAddress! + range.lowerBound * inner, count: range.count * inner)
            }
        }
    }

    /// Tensors of equal trailing shape stacked along the first dimension (`[a, ...] + [b, ...] → [a + b, ...]`).
    public static func concatenate(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "nothing to concatenate")
        let tail = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == tail }, "trailing shapes differ")
        let total = parts.reduce(0) { $0 + ($1.shape.first ?? 1) }
        return Tensor(shape: [total] + tail) { out in
            var offset = 0
            for part in parts {
                part.withUnsafeBufferPointer { src in
                    (out.baseAddress! + offset).update(from: src.baseAddress!, count: src.count)
                    offset += src.count
                }
            }
        }
    }
}
