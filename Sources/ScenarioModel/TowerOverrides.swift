/// Tower settings a checkpoint's tensors do not reveal. A ScenarioCLIP `.ckpt` holds no tower config, so the
/// loader infers shapes from tensors and takes these from, in order of precedence:
/// 1. explicit values (the CLI's `--vision-heads` / `--text-heads`),
/// 2. a sidecar JSON beside the checkpoint (`<stem>.config.json`, for `X_ema_teacher.pt` also `X.config.json`,
///    then `config.json`), in Hugging Face `CLIPConfig` form: `{"vision_config": {...}, "text_config": {...}}`,
/// 3. the Lightning checkpoint's `hyper_parameters.vision_config` / `.text_config`, when present,
/// 4. defaults: heads = hidden / 64 (ViT-B/32: 12 vision, 8 text), `quick_gelu`, eps 1e-5, and the legacy
///    `eos_token_id` 2 of `openai/clip-vit-base-patch32` (text pooled at the largest token id).
public struct TowerOverrides: Sendable, Equatable {
    public var visionHeads: Int?
    public var textHeads: Int?
    public var visionHiddenAct: String?
    public var textHiddenAct: String?
    public var visionLayerNormEps: Float?
    public var textLayerNormEps: Float?
    public var textEOSTokenID: Int?

    public init(
        visionHeads: Int? = nil, textHeads: Int? = nil, visionHiddenAct: String? = nil, textHiddenAct: String? = nil,
        visionLayerNormEps: Float? = nil, textLayerNormEps: Float? = nil, textEOSTokenID: Int? = nil
    ) {
        self.visionHeads = visionHeads
        self.textHeads = textHeads
        self.visionHiddenAct = visionHiddenAct
        self.textHiddenAct = textHiddenAct
        self.visionLayerNormEps = visionLayerNormEps
        self.textLayerNormEps = textLayerNormEps
        self.textEOSTokenID = textEOSTokenID
    }

    /// `self`, with every unset field taken from `other`.
    public func filling(from other: TowerOverrides) -> TowerOverrides {
        TowerOverrides(
            visionHeads: visionHeads ?? other.visionHeads, textHeads: textHeads ?? other.textHeads,
            visionHiddenAct: visionHiddenAct ?? other.visionHiddenAct,
            textHiddenAct: textHiddenAct ?? other.textHiddenAct,
            visionLayerNormEps: visionLayerNormEps ?? other.visionLayerNormEps,
            textLayerNormEps: textLayerNormEps ?? other.textLayerNormEps,
            textEOSTokenID: textEOSTokenID ?? other.textEOSTokenID)
    }

    /// `true` when nothing is set.
    public var isEmpty: Bool { self == TowerOverrides() }

    /// Reads `vision_config` / `text_config` dictionaries (Hugging Face field names) from decoded JSON.
    static func from(visionConfig: [String: Any]?, textConfig: [String: Any]?) -> TowerOverrides {
        func int(_ d: [String: Any]?, _ k: String) -> Int? {
            if let v = d?[k] as? Int { return v }
            if let v = d?[k] as? Double, v == v.rounded() { return Int(v) }
            return nil
        }
        func float(_ d: [String: Any]?, _ k: String) -> Float? {
            if let v = d?[k] as? Double { return Float(v) }
            if let v = d?[k] as? Int { return Float(v) }
            return nil
        }
        return TowerOverrides(
            visionHeads: int(visionConfig, "num_attention_heads"), textHeads: int(textConfig, "num_attention_heads"),
            visionHiddenAct: visionConfig?["hidden_act"] as? String, textHiddenAct: textConfig?["hidden_act"] as? String,
            visionLayerNormEps: float(visionConfig, "layer_norm_eps"),
            textLayerNormEps: float(textConfig, "layer_norm_eps"), textEOSTokenID: int(textConfig, "eos_token_id"))
    }
}

