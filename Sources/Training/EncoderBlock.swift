import Numerics

/// One pre-norm transformer layer of CLIP (`CLIPEncoderLayer`):
/// `x + attn(layer_norm1(x))`, then `+ mlp.fc2(act(mlp.fc1(layer_norm2(·))))`. Activations `[batch·tokens, width]`.
final class EncoderBlock {
    let layerNorm1: LayerNormLayer
    let attention: AttentionLayer
    let layerNorm2: LayerNormLayer
    let fc1: LinearLayer
    let fc2: LinearLayer
    let activation: Activation
    private var cachedPreActivation: [Float] = []

    init(name: String, width: Int, heads: Int, intermediate: Int, layers: Int, activation: Activation,
         causal: Bool, eps: Float, rng: inout TrainingRandom) {
        self.activation = activation
        layerNorm1 = LayerNormLayer(name: name + ".layer_norm1", width: width, eps: eps)
        attention = AttentionLayer(name: name + ".self_attn", width: width, heads: heads, layers: layers,
                                   causal: causal, rng: &rng)
        layerNorm2 = LayerNormLayer(name: name + ".layer_norm2", width: width, eps: eps)
        let inStd = 1 / Float(width).squareRoot() / Float(2 * layers).squareRoot()
        fc1 = LinearLayer(name: name + ".mlp.fc1", inFeatures: width, outFeatures: intermediate, bias: true, rng: &rng,
                          std: 1 / Float(2 * width).squareRoot())
        fc2 = LinearLayer(name: name + ".mlp.fc2", inFeatures: intermediate, outFeatures: width, bias: true, rng: &rng,
                          std: inStd)
    }

    var parameters: [Parameter] {
        layerNorm1.parameters + attention.parameters + layerNorm2.parameters + fc1.parameters + fc2.parameters
    }

    var isTrainable: Bool { parameters.contains { $0.trainable } }

    func forward(_ x: [Float], batch: Int, tokens: Int, cache: Bool) -> [Float] {
        let rows = batch * tokens
        let h1 = layerNorm1.forward(x, rows: rows, cache: cache)
        var x1 = attention.forward(h1, batch: batch, tokens: tokens, cache: cache)
        Elementwise.add(&x1, x)
        let h2 = layerNorm2.forward(x1, rows: rows, cache: cache)
        let f1 = fc1.forward(h2, rows: rows, cache: cache)
        var g = f1
        g.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
        if cache { cachedPreActivation = f1 }
        var out = fc2.forward(g, rows: rows, cache: cache)
        Elementwise.add(&out, x1)
        return out
    }

    func backward(_ dOut: [Float], needInput: Bool) -> [Float] {
        let dg = fc2.backward(dOut, needInput: true)
        let df1 = activation.gradient(dg, at: cachedPreActivation)
        cachedPreActivation = []
        let dh2 = fc1.backward(df1, needInput: true)
        var dx1 = layerNorm2.backward(dh2, needInput: true)
        Elementwise.add(&dx1, dOut)
        let dh1 = attention.backward(dx1, needInput: true)
        guard needInput else {
            _ = layerNorm1.backward(dh1, needInput: false)
            return []
        }
        var dx = layerNorm1.backward(dh1, needInput: true)
        Elementwise.add(&dx, dx1)
        return dx
    }
}
