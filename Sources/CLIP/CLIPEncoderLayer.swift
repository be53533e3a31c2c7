import Numerics
import Weights

/// One pre-norm transformer block, Hugging Face `CLIPEncoderLayer`:
/// `x += attn(layer_norm1(x))`, then `x += fc2(act(fc1(layer_norm2(x))))`.
struct CLIPEncoderLayer: Sendable {
    let layerNorm1: LayerNorm
    let attention: MultiHeadAttention
    let layerNorm2: LayerNorm
    let fc1: Linear
    let fc2: Linear
    let activation: Activation

    /// Reads `layer_norm1`, `self_attn.{q,k,v,out}_proj`, `layer_norm2`, `mlp.fc1`, `mlp.fc2` under `prefix`.
    init(
        loader: TensorLoader, prefix: String, width: Int, intermediate: Int, heads: Int, eps: Float,
        activation: Activation
    ) throws {
        func linear(_ name: String, _ out: Int, _ input: Int) throws -> Linear {
            Linear(
                weight: try loader.tensor(prefix + name + ".weight", shape: [out, input]),
                bias: try loader.tensor(prefix + name + ".bias", shape: [out]))
        }
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(
                weight: try loader.tensor(prefix + name + ".weight", shape: [width]),
                bias: try loader.tensor(prefix + name + ".bias", shape: [width]), eps: eps)
        }
        layerNorm1 = try norm("layer_norm1")
        attention = MultiHeadAttention(
            query: try linear("self_attn.q_proj", width, width), key: try linear("self_attn.k_proj", width, width),
            value: try linear("self_attn.v_proj", width, width), output: try linear("self_attn.out_proj", width, width),
            heads: heads)
        layerNorm2 = try norm("layer_norm2")
        fc1 = try linear("mlp.fc1", intermediate, width)
        fc2 = try linear("mlp.fc2", width, intermediate)
        self.activation = activation
    }

    /// `[batch, tokens, width] → [batch, tokens, width]`.
    func callAsFunction(_ x: Tensor, causal: Bool) -> Tensor {
        var hidden = x
        hidden.add(attention(layerNorm1(x), causal: causal))
        hidden.add(mlp(layerNorm2(hidden)))
        return hidden
    }

    /// The block's output only at one token per batch item: `[batch, tokens, width] → [batch, width]`.
    /// Exact: attention still reads every key; the other rows' outputs are simply not computed.
    func callAsFunction(_ x: Tensor, causal: Bool, onlyAt positions: [Int]) -> Tensor {
        let tokens = x.shape[1]
        var hidden = x.gatherRows(positions.enumerated().map { $0.offset * tokens + $0.element })
        hidden.add(attention(layerNorm1(x), causal: causal, onlyAt: positions))
        hidden.add(mlp(layerNorm2(hidden)))
        return hidden
    }

    /// `fc2(act(fc1(x)))`, `[..., width] → [..., width]`.
    private func mlp(_ x: Tensor) -> Tensor {
        var inner = fc1(x)
        activation.apply(&inner)
        return fc2(inner)
    }
}

/// The stack of ``CLIPEncoderLayer``s (`encoder.layers.N.`) of one tower.
struct CLIPEncoder: Sendable {
    let layers: [CLIPEncoderLayer]

    init(
        loader: TensorLoader, prefix: String, layerCount: Int, width: Int, intermediate: Int, heads: Int, eps: Float,
        activation: Activation
    ) throws {
        layers = try (0..<layerCount).map {
            try CLIPEncoderLayer(
                loader: loader, prefix: "\(prefix)encoder.layers.\($0).", width: width, intermediate: intermediate,
                heads: heads, eps: eps, activation: activation)
        }
    }

    /// Runs every layer and returns the last hidden state only at `positions[b]` of each batch item:
    /// `[batch, tokens, width] → [batch, width]` (the last layer skips rows nobody reads).
    func finalHidden(_ x: Tensor, causal: Bool, at positions: [Int]) -> Tensor {
        guard let last = layers.last else {
            let tokens = x.shape[1]
            return x.gatherRows(positions.enumerated().map { $0.offset * tokens + $0.element })
        }
        var hidden = x
        for layer in layers.dropLast() { hidden = layer(hidden, causal: causal) }
        return last(hidden, causal: causal, onlyAt: positions)
    }
}
