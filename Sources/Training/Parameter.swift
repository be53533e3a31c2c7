/// One trainable tensor: its value, the gradient accumulated by the last backward pass, and the
/// optimiser options that apply to it.
///
/// Names follow the reference checkpoints (Hugging Face CLIP keys under the model's tower prefixes),
/// e.g. `global_visual_encoder.vision_model.encoder.layers.0.self_attn.q_proj.weight`.
public final class Parameter: @unchecked Sendable {
    /// Full key in the model's state dict.
    public let name: String
    /// Dimensions, outermost first (PyTorch's layout: a linear weight is `[out, in]`).
    public let shape: [Int]
    /// Elements in row-major order.
    public var value: [Float]
    /// Gradient of the loss (same layout as `value`); zeroed by ``zeroGrad()``.
    public var grad: [Float]
    /// `false` for frozen parameters: no gradient is computed and the optimiser skips them.
    public var trainable: Bool
    /// `true` when AdamW applies weight decay (not for biases, norms, embeddings, scales).
    public var decays: Bool
    /// Multiplier on the learning rate (the reference trains the distillation temperature at 0.1×).
    public var learningRateScale: Float

    /// A parameter with the given initial values.
    public init(name: String, shape: [Int], value: [Float], decays: Bool, trainable: Bool = true,
                learningRateScale: Float = 1) {
        precondition(shape.reduce(1, *) == value.count, "\(name): shape \(shape) does not hold \(value.count) values")
        self.name = name
        self.shape = shape
        self.value = value
        self.grad = [Float](repeating: 0, count: value.count)
        self.trainable = trainable
        self.decays = decays
        self.learningRateScale = learningRateScale
    }

    /// Number of elements.
    public var count: Int { value.count }

    /// Sets the gradient to zero.
    public func zeroGrad() {
        grad.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
