import CLIP
import Numerics
import Weights

/// Randomly initialised CLIP weights under Hugging Face key names, for benchmarks and as a training start.
public enum CLIPRandomWeights {
    /// How one tensor is filled.
    enum Fill {
        /// `N(0, 0.02²)` from this seed.
        case normal(seed: UInt64)
        case constant(Float)
    }

    /// Every tensor of `config` with its shape and fill, in generation order (seeds follow that order).
    static func specifications(for config: CLIPConfig, seed: UInt64) -> [(name: String, shape: [Int], fill: Fill)] {
        var result: [(name: String, shape: [Int], fill: Fill)] = []
        var counter = seed
        func normal(_ name: String, _ shape: [Int]) {
            counter &+= 0x9E37_79B9
            result.append((name, shape, .normal(seed: counter)))
        }
        func constant(_ name: String, _ shape: [Int], _ value: Float) { result.append((name, shape, .constant(value))) }
        func encoder(_ prefix: String, layers: Int, width: Int, intermediate: Int) {
            for l in 0..<layers {
                let p = "\(prefix)encoder.layers.\(l)."
                for name in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                    normal(p + "self_attn.\(name).weight", [width, width])
                    normal(p + "self_attn.\(name).bias", [width])
                }
                for name in ["layer_norm1", "layer_norm2"] {
                    constant(p + name + ".weight", [width], 1)
                    constant(p + name + ".bias", [width], 0)
                }
                normal(p + "mlp.fc1.weight", [intermediate, width])
                normal(p + "mlp.fc1.bias", [intermediate])
                normal(p + "mlp.fc2.weight", [width, intermediate])
                normal(p + "mlp.fc2.bias", [width])
            }
        }
        func norm(_ name: String, _ width: Int) {
            constant(name + ".weight", [width], 1)
            constant(name + ".bias", [width], 0)
        }
        if config.kind != .textTower {
            let v = config.visionConfig
            let w = v.hiddenSize
            normal("vision_model.embeddings.patch_embedding.weight", [w, v.numChannels, v.patchSize, v.patchSize])
            normal("vision_model.embeddings.class_embedding", [w])
            normal("vision_model.embeddings.position_embedding.weight", [v.tokenCount, w])
            norm("vision_model.pre_layrnorm", w)
            encoder("vision_model.", layers: v.numHiddenLayers, width: w, intermediate: v.intermediateSize)
            norm("vision_model.post_layernorm", w)
            if config.kind == .model { normal("visual_projection.weight", [config.projectionDim, w]) }
        }
        if config.kind != .visionTower {
            let t = config.textConfig
            let w = t.hiddenSize
            normal("text_model.embeddings.token_embedding.weight", [t.vocabSize, w])
            normal("text_model.embeddings.position_embedding.weight", [t.maxPositionEmbeddings, w])
            encoder("text_model.", layers: t.numHiddenLayers, width: w, intermediate: t.intermediateSize)
            norm("text_model.final_layer_norm", w)
            if config.kind == .model { normal("text_projection.weight", [config.projectionDim, w]) }
        }
        if config.kind == .model { constant("logit_scale", [], 2.6592) }
        return result
    }

    static func make(_ shape: [Int], _ fill: Fill) -> Tensor {
        switch fill {
        case .normal(let seed): Tensor.randomNormal(shape: shape, std: 0.02, seed: seed)
        case .constant(let value): Tensor(repeating: value, shape: shape)
        }
    }

    /// Every tensor a ``CLIPModel`` of `config` loads (towers per `config.kind`, projections and `logit_scale`
    /// for a full model): matrices `N(0, 0.02²)`, LayerNorm weights 1 and biases 0, other biases `N(0, 0.02²)`.
    public static func tensors(for config: CLIPConfig, seed: UInt64 = 0) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: specifications(for: config, seed: seed).map { ($0.name, make($0.shape, $0.fill)) })
    }

    /// The same tensors as ``tensors(for:seed:)`` (equal values), each generated when it is read and not kept by the
    /// archive: a model built from it holds the only copy of its weights, so loading never needs room for two.
    public static func archive(for config: CLIPConfig, seed: UInt64 = 0) -> any TensorArchive {
        GeneratedTensorArchive(specifications(for: config, seed: seed))
    }

    /// A model of `config` with random weights (see ``tensors(for:seed:)``).
    public static func model(_ config: CLIPConfig, seed: UInt64 = 0) throws -> CLIPModel {
        try CLIPModel(config: config, archive: archive(for: config, seed: seed))
    }

    /// Tensors made on demand from their specification.
    private final class GeneratedTensorArchive: TensorArchive, @unchecked Sendable {
        let sourceDescription = "random CLIP weights"
        let tensorNames: [String]
        private let specifications: [String: (shape: [Int], fill: Fill)]

        init(_ list: [(name: String, shape: [Int], fill: Fill)]) {
            specifications = Dictionary(uniqueKeysWithValues: list.map { ($0.name, ($0.shape, $0.fill)) })
            tensorNames = specifications.keys.sorted()
        }

        func info(_ name: String) -> StoredTensorInfo? {
            specifications[name].map { StoredTensorInfo(name: name, dtype: .float32, shape: $0.shape) }
        }

        func tensor(_ name: String) throws -> Tensor {
            guard let spec = specifications[name] else {
                throw WeightsError.missingTensor(name: name, source: sourceDescription)
            }
            return CLIPRandomWeights.make(spec.shape, spec.fill)
        }
    }
}
