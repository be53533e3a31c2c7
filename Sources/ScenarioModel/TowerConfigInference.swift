import CLIP
import Weights

/// Infers Hugging Face tower configs from tensor shapes (a ScenarioCLIP checkpoint stores no config).
///
/// Vision (`prefix` = `…vision_model.`): hidden from `embeddings.class_embedding` `[hidden]`, channels and patch
/// size from `embeddings.patch_embedding.weight` `[hidden, C, P, P]`, image size from
/// `embeddings.position_embedding.weight` `[(S/P)² + 1, hidden]`, layers from the highest
/// `encoder.layers.N`, intermediate from `encoder.layers.0.mlp.fc1.weight` `[intermediate, hidden]`.
/// Text (`…text_model.`): vocabulary and hidden from `embeddings.token_embedding.weight` `[vocab, hidden]`,
/// context from `embeddings.position_embedding.weight` `[context, hidden]`, layers and intermediate as above.
/// Heads, activation, eps and the end-of-text id come from ``TowerOverrides``.
enum TowerConfigInference {
    static func shape(_ archive: any TensorArchive, _ name: String) throws -> [Int] {
        guard let info = archive.info(name) else {
            throw ScenarioModelError.missingKeys(source: archive.sourceDescription, names: [name])
        }
        return info.shape
    }

    static func layerCount(_ names: [String], prefix: String) -> Int {
        let marker = prefix + "encoder.layers."
        var highest = -1
        for name in names where name.hasPrefix(marker) {
            let rest = name.dropFirst(marker.count)
            // Layer numbers past the bound are kept at it, so the count is checked (and refused) on load.
            if let n = Int(rest.prefix { $0.isASCII && $0.isNumber }) { highest = max(highest, min(n, CLIPConfig.maxLayers)) }
        }
        return highest + 1
    }

    static func defaultHeads(_ hidden: Int) -> Int { max(1, hidden / 64) }

    static func vision(_ archive: any TensorArchive, prefix: String, overrides: TowerOverrides) throws -> CLIPVisionConfig {
        let source = archive.sourceDescription
        let hidden = try shape(archive, prefix + "embeddings.class_embedding")
        let patch = try shape(archive, prefix + "embeddings.patch_embedding.weight")
        let positions = try shape(archive, prefix + "embeddings.position_embedding.weight")
        guard hidden.count == 1, patch.count == 4, patch[2] == patch[3], positions.count == 2 else {
            throw ScenarioModelError.invalidConfig(
                source: source, reason: "\(prefix)embeddings have unexpected shapes \(hidden), \(patch), \(positions)")
        }
        let grid = positions[0] >= 1 ? Int(Double(positions[0] - 1).squareRoot().rounded()) : -1
        guard grid >= 0, grid * grid + 1 == positions[0] else {
            throw ScenarioModelError.invalidConfig(
                source: source, reason: "\(prefix)embeddings.position_embedding has \(positions[0]) rows, not 1 + a square number of patches")
        }
        let layers = layerCount(archive.tensorNames, prefix: prefix)
        var intermediate = 4 * hidden[0]
        if layers > 0 { intermediate = try shape(archive, prefix + "encoder.layers.0.mlp.fc1.weight")[0] }
        let heads = overrides.visionHeads ?? defaultHeads(hidden[0])
        guard heads > 0, hidden[0] % heads == 0 else {
            throw ScenarioModelError.invalidConfig(
                source: source, reason: "vision width \(hidden[0]) is not divisible by \(heads) attention heads")
        }
        return CLIPVisionConfig(
            hiddenSize: hidden[0], intermediateSize: intermediate, numHiddenLayers: layers, numAttentionHeads: heads,
            numChannels: patch[1], imageSize: grid * patch[2], patchSize: patch[2],
            hiddenAct: overrides.visionHiddenAct ?? "quick_gelu", layerNormEps: overrides.visionLayerNormEps ?? 1e-5)
    }

    static func text(_ archive: any TensorArchive, prefix: String, overrides: TowerOverrides) throws -> CLIPTextConfig {
        let source = archive.sourceDescription
        let tokens = try shape(archive, prefix + "embeddings.token_embedding.weight")
        let positions = try shape(archive, prefix + "embeddings.position_embedding.weight")
        guard tokens.count == 2, positions.count == 2 else {
            throw ScenarioModelError.invalidConfig(source: source, reason: "\(prefix)embeddings have unexpected shapes")
        }
        let layers = layerCount(archive.tensorNames, prefix: prefix)
        var intermediate = 4 * tokens[1]
        if layers > 0 { intermediate = try shape(archive, prefix + "encoder.layers.0.mlp.fc1.weight")[0] }
        let heads = overrides.textHeads ?? defaultHeads(tokens[1])
        guard heads > 0, tokens[1] % heads == 0 else {
            throw ScenarioModelError.invalidConfig(
                source: source, reason: "text width \(tokens[1]) is not divisible by \(heads) attention heads")
        }
        return CLIPTextConfig(
            vocabSize: tokens[0], hiddenSize: tokens[1], intermediateSize: intermediate, numHiddenLayers: layers,
            numAttentionHeads: heads, maxPositionEmbeddings: positions[0],
            hiddenAct: overrides.textHiddenAct ?? "quick_gelu", layerNormEps: overrides.textLayerNormEps ?? 1e-5,
            eosTokenID: overrides.textEOSTokenID ?? 2)
    }

    /// Every tensor name a Hugging Face vision tower with `config` has under `prefix` (`…vision_model.`).
    static func visionKeys(_ config: CLIPVisionConfig, prefix: String) -> [String] {
        var keys = ["embeddings.class_embedding", "embeddings.patch_embedding.weight",
                    "embeddings.position_embedding.weight", "pre_layrnorm.weight", "pre_layrnorm.bias",
                    "post_layernorm.weight", "post_layernorm.bias"]
        keys += encoderKeys(config.numHiddenLayers)
        return keys.map { prefix + $0 }
    }

    /// Every tensor name a Hugging Face text tower with `config` has under `prefix` (`…text_model.`).
    static func textKeys(_ config: CLIPTextConfig, prefix: String) -> [String] {
        var keys = ["embeddings.token_embedding.weight", "embeddings.position_embedding.weight",
                    "final_layer_norm.weight", "final_layer_norm.bias"]
        keys += encoderKeys(config.numHiddenLayers)
        return keys.map { prefix + $0 }
    }

    private static func encoderKeys(_ layers: Int) -> [String] {
        var keys: [String] = []
        for i in 0..<layers {
            let p = "encoder.layers.\(i)."
            for proj in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                keys += [p + "self_attn.\(proj).weight", p + "self_attn.\(proj).bias"]
            }
            for part in ["layer_norm1", "layer_norm2", "mlp.fc1", "mlp.fc2"] {
                keys += [p + part + ".weight", p + part + ".bias"]
            }
        }
        return keys
    }

    /// Buffers older transformers saved in state dicts; harmless, never read.
    static func isIgnorableBuffer(_ name: String) -> Bool {
        name.hasSuffix("embeddings.position_ids")
    }
}
