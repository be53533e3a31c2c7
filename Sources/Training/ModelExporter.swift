import Foundation

/// Writes a trained model as one safetensors file: the reference's state-dict keys (without the Lightning
/// `model.` prefix) and an `architecture` JSON in the metadata with Hugging Face vision/text configs.
public enum ModelExporter {
    /// Exports `model` (and its contrastive logit scales) to `url`, in `float16` when `half` is set.
    public static func export(_ model: TrainableModel, logitScales: [String: Float] = [:], name: String,
                              to url: URL, half: Bool) throws {
        var f = SafeTensorsFile()
        for p in model.parameters { f.set(p.name, floats: p.value, shape: p.shape, half: half) }
        for (k, v) in logitScales { f.set(k, floats: [v], shape: [], half: false) }
        let c = model.config
        func tower(_ t: TowerConfig) -> [String: Any] {
            ["hidden_size": t.hiddenSize, "intermediate_size": t.intermediateSize,
             "num_hidden_layers": t.numHiddenLayers, "num_attention_heads": t.numAttentionHeads,
             "hidden_act": t.hiddenAct.rawValue, "layer_norm_eps": Double(t.layerNormEps)]
        }
        var vision = tower(c.vision.tower)
        vision["image_size"] = c.vision.imageSize
        vision["patch_size"] = c.vision.patchSize
        vision["num_channels"] = 3
        var text = tower(c.text.tower)
        text["vocab_size"] = c.text.vocabSize
        text["max_position_embeddings"] = c.text.maxPositionEmbeddings
        text["eos_token_id"] = 2
        let architecture: [String: Any] = [
            "architecture": c.threeLevel ? "ThreeLevelCLIP" : "OneLevelCLIP",
            "name": name,
            "embedding_dim": c.embedDim,
            "vision_config": vision,
            "text_config": text,
            "image_mean": Augmenter.mean.map(Double.init),
            "image_std": Augmenter.std.map(Double.init),
        ]
        let json = try JSONSerialization.data(withJSONObject: architecture, options: [.sortedKeys])
        f.metadata = ["format": "pt", "scenarioclip_architecture": String(decoding: json, as: UTF8.self)]
        try f.write(to: url)
    }
}
