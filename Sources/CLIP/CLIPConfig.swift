import Foundation

/// Hugging Face `CLIPConfig` (`config.json` of a `CLIPModel`): both towers plus the shared projection width.
/// Also reads the flat config of a single tower folder (`model_type` `clip_vision_model` / `clip_text_model`).
public struct CLIPConfig: Decodable, Sendable, Equatable {
    /// What a `config.json` describes.
    public enum Kind: Equatable, Sendable {
        /// `CLIPModel`: both towers and both projections.
        case model
        /// `CLIPVisionModel` (or `…WithProjection`): the vision tower alone.
        case visionTower
        /// `CLIPTextModel` (or `…WithProjection`): the text tower alone.
        case textTower
    }

    public var kind: Kind
    public var visionConfig: CLIPVisionConfig
    public var textConfig: CLIPTextConfig
    /// Output width of `visual_projection` and `text_projection` (default 512).
    public var projectionDim: Int

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", visionConfig = "vision_config", textConfig = "text_config"
        case projectionDim = "projection_dim"
    }

    // Bounds every config field must keep (checked by the towers' `validated(source:)`), far above any CLIP
    // model published (ViT-bigG: width 1664, 48 layers, 16 heads; context 77; vocabulary 49408), so that a
    // hostile config is an error on load instead of an exhausted machine.
    /// Most encoder layers in one tower.
    public static let maxLayers = 256
    /// Widest `hidden_size` / `projection_dim` (`intermediate_size` may be four times it).
    public static let maxWidth = 16_384
    /// Most attention heads.
    public static let maxHeads = 1_024
    /// Largest `image_size` (and `patch_size`), in pixels.
    public static let maxImageSize = 4_096
    /// Longest text context (`max_position_embeddings`).
    public static let maxContext = 4_096
    /// Largest vocabulary.
    public static let maxVocabulary = 1 << 20

    /// Checks both towers (see their `validated(source:)`) and `projection_dim` against the bounds above.
    /// - Throws: ``CLIPError/invalidConfig(source:reason:)`` naming the field.
    public func validate(source: String) throws {
        _ = try visionConfig.validated(source: source)
        _ = try textConfig.validated(source: source)
        guard (1...Self.maxWidth).contains(projectionDim) else {
            throw CLIPError.invalidConfig(source: source, reason: "projection_dim is \(projectionDim); expected 1...\(Self.maxWidth)")
        }
    }

    /// A `CLIPModel` config from its parts.
    public init(
        visionConfig: CLIPVisionConfig = CLIPVisionConfig(), textConfig: CLIPTextConfig = CLIPTextConfig(),
        projectionDim: Int = 512, kind: Kind = .model
    ) {
        self.kind = kind
        self.visionConfig = visionConfig
        self.textConfig = textConfig
        self.projectionDim = projectionDim
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? "clip"
        switch modelType {
        case "clip_vision_model":
            kind = .visionTower
            visionConfig = try CLIPVisionConfig(from: decoder)
            textConfig = CLIPTextConfig()
            projectionDim = visionConfig.projectionDim
        case "clip_text_model":
            kind = .textTower
            textConfig = try CLIPTextConfig(from: decoder)
            visionConfig = CLIPVisionConfig()
            projectionDim = textConfig.projectionDim
        case "clip":
            kind = .model
            visionConfig = try c.decodeIfPresent(CLIPVisionConfig.self, forKey: .visionConfig) ?? CLIPVisionConfig()
            textConfig = try c.decodeIfPresent(CLIPTextConfig.self, forKey: .textConfig) ?? CLIPTextConfig()
            projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? 512
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .modelType, in: c, debugDescription: "model_type '\(modelType)' is not a CLIP model")
        }
    }

    /// Decodes `config.json` bytes; `source` names the file in errors.
    /// - Throws: ``CLIPError/invalidConfig(source:reason:)`` with the failing field.
    public static func decode(_ data: Data, source: String) throws -> CLIPConfig {
        do {
            return try JSONDecoder().decode(CLIPConfig.self, from: data)
        } catch let error as DecodingError {
            throw CLIPError.invalidConfig(source: source, reason: Self.describe(error))
        } catch {
            throw CLIPError.invalidConfig(source: source, reason: "\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(path(context))': \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON (\(context.debugDescription))" : "field '\(path(context))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
