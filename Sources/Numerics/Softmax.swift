extension Tensor {
    /// Softmax over the last dimension, each row `exp(x - max) / Σ exp(x - max)`. `[..., n] → [..., n]`.
    public func softmaxRows() -> Tensor {
        var result = self
        let width = rowWidth
        guard width > 0 else { return result }
        result.withUnsafeMutableBufferPointer { p in
            for r in 0..<rowCount { VectorKernels.softmaxRow(p.baseAddress! + r * width, width) }
        }
        return result
    }
}
