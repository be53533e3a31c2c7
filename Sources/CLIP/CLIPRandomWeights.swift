import Numerics
import Weights

/// Randomly initialised CLIP weights under Hugging Face key names, for benchmarks and as a training start.
public enum CLIPRandomWeights {
    /// Every tensor a ``CLIPModel`` of `config` loads (towers per `config.kind`, projections and `logit_scale`
    /// for a full model): matrices `N(0, 0.02²)`, LayerNorm weights 1 and biases 0, other biases `N(0, 0.02²)`.
    public static func tensors(for config: CLIPConfig, seed: UInt64 = 0) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        var counter = seed
        func normal(_ shape: [Int]) -> Tensor {
            counter &+= 0x9E37_79B9
            return Tensor.randomNormal(shape: shape, std: 0.02, seed: counter)
        }
        func encoder(_ prefix: String, layers: Int, width: Int, intermediate: Int) {
            for l in 0..<layers {
                let p = "\(prefix)encoder.layers.\(l)."
                for name in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                    result[p + "self_attn.\(name).weight"] = normal([width, width])
                    result[p + "self_attn.\(name).bias"] = normal([width])
                }
                for name in ["layer_norm1", "layer_norm2"] {
                    result[p + name + ".weight"] = Tensor(repeating: 1, shape: [width])
                    result[p + name + ".bias"] = Tensor(zeros: [width])
                }
                result[p + "mlp.fc1.weight"] = normal([intermediate, width])
                result[p + "mlp.fc1.bias"] = normal([intermediate])
                result[p + "mlp.fc2.weight"] = normal([width, intermediate])
                result[p + "mlp.fc2.bias"] = normal([width])
            }
        }
        func norm(_ name: String, _ width: Int) {
            result[name + ".weight"] = Tensor(repeating: 1, shape: [width])
            result[name + ".bias"] = Tensor(zeros: [width])
        }
        if config.kind != .textTower {
            let v = config.visionConfig
            let w = v.hiddenSize
            result["vision_model.embeddings.patch_embedding.weight"] = normal([w, v.numChannels, v.patchSize, v.patchSize])
            result["vision_model.embeddings.class_embedding"] = normal([w])
            result["vision_model.embeddings.position_embedding.weight"] = normal([v.tokenCount, w])
            norm("vision_model.pre_layrnorm", w)
            encoder("vision_model.", layers: v.numHiddenLayers, width: w, intermediate: v.intermediateSize)
            norm("vision_model.post_layernorm", w)
            if config.kind == .model { result["visual_projection.weight"] = normal([config.projectionDim, w]) }
        }
        if config.kind != .visionTower {
            let t = config.textConfig
            let w = t.hiddenSize
            result["text_model.embeddings.token_embedding.weight"] = normal([t.vocabSize, w])
            result["text_model.embeddings.position_embedding.weight"] = normal([t.maxPositionEmbeddings, w])
            encoder("text_model.", layers: t.numHiddenLayers, width: w, intermediate: t.intermediateSize)
            norm("text_model.final_layer_norm", w)
            if config.kind == .model { result["text_projection.weight"] = normal([config.projectionDim, w]) }
        }
        if config.kind == .model { result["logit_scale"] = Tensor(shape: [], values: [2.6592]) }
        return result
    }

    /// A model of `config` with random weights (see ``tensors(for:seed:)``).
    public static func model(_ config: CLIPConfig, seed: UInt64 = 0) throws -> CLIPModel {
        try CLIPModel(config: config, archive: InMemoryTensorArchive(tensors(for: config, seed: seed)))
    }
}
