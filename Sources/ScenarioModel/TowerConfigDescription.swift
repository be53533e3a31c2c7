import CLIP
import Foundation

/// Canonical JSON for tower configs (Hugging Face field names, sorted keys): stored in our safetensors
/// metadata, hashed into fingerprints, read back by ``ScenarioModelFile``.
enum TowerConfigDescription {
    static func json(_ c: CLIPVisionConfig) -> String {
        encode([
            "hidden_size": c.hiddenSize, "intermediate_size": c.intermediateSize,
            "num_hidden_layers": c.numHiddenLayers, "num_attention_heads": c.numAttentionHeads,
            "num_channels": c.numChannels, "image_size": c.imageSize, "patch_size": c.patchSize,
            "hidden_act": c.hiddenAct, "layer_norm_eps": Double(c.layerNormEps),
        ])
    }

    static func json(_ c: CLIPTextConfig) -> String {
        encode([
            "vocab_size": c.vocabSize, "hidden_size": c.hiddenSize, "intermediate_size": c.intermediateSize,
            "num_hidden_layers": c.numHiddenLayers, "num_attention_heads": c.numAttentionHeads,
            "max_position_embeddings": c.maxPositionEmbeddings, "hidden_act": c.hiddenAct,
            "layer_norm_eps": Double(c.layerNormEps), "eos_token_id": c.eosTokenID,
        ])
    }

    private static func encode(_ dict: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: dict, options: [.sortedKeys])  // plain values: cannot fail
        return String(decoding: data, as: UTF8.self)
    }

    static func vision(_ json: String, source: String) throws -> CLIPVisionConfig {
        do { return try JSONDecoder().decode(CLIPVisionConfig.self, from: Data(json.utf8)) } catch {
            throw ScenarioModelError.invalidConfig(source: source, reason: "metadata 'vision_config' is not a vision config: \(error)")
        }
    }

    static func text(_ json: String, source: String) throws -> CLIPTextConfig {
        do { return try JSONDecoder().decode(CLIPTextConfig.self, from: Data(json.utf8)) } catch {
            throw ScenarioModelError.invalidConfig(source: source, reason: "metadata 'text_config' is not a text config: \(error)")
        }
    }
}
