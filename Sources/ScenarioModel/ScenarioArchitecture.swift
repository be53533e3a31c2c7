/// The model layouts the loader recognises, detected from tensor names.
///
/// Key layouts (reference `models/backbone.py`, transformers 4.44, after removing Lightning's `model.` prefix):
/// - ``threeLevel``: `{global,object,relation}_{visual,text}_encoder.{vision,text}_model.…`,
///   `{level}_{image,text}_projection.{weight,bias}`, `{level}_{image,text}_norm.{weight,bias}`.
/// - ``oneLevel``: `visual_encoder.vision_model.…`, `text_encoder.text_model.…`, `image_projection`,
///   `text_projection`, `image_norm`, `text_norm`.
/// - ``huggingFaceCLIP``: a plain `CLIPModel` (`vision_model.…`, `text_model.…`, `visual_projection.weight`,
///   `text_projection.weight`, `logit_scale`), serving every level through its own projections.
public enum ScenarioArchitecture: String, Sendable, Codable, CaseIterable {
    case threeLevel = "three_level"
    case oneLevel = "one_level"
    case huggingFaceCLIP = "hf_clip"

    /// Human-readable name for listings.
    public var displayName: String {
        switch self {
        case .threeLevel: "ScenarioCLIP ThreeLevelCLIP (one vision + text tower pair per level)"
        case .oneLevel: "ScenarioCLIP OneLevelCLIP (one tower pair shared by all levels)"
        case .huggingFaceCLIP: "Hugging Face CLIPModel (its projections serve every level)"
        }
    }

    /// Key prefix of the tower pair and head serving `level` (`global_`, or empty for one-level models).
    func levelPrefix(_ level: Level) -> String {
        self == .threeLevel ? "\(level.rawValue)_" : ""
    }

    /// Distinct tower pairs: the levels whose towers are stored.
    var storedLevels: [Level] { self == .threeLevel ? Level.allCases : [.global] }

    /// Detects the layout from canonical tensor names (no `model.` prefix).
    static func detect(_ names: Set<String>) -> ScenarioArchitecture? {
        if names.contains(where: { $0.hasPrefix("global_visual_encoder.") }) { return .threeLevel }
        if names.contains(where: { $0.hasPrefix("visual_encoder.") }) { return .oneLevel }
        if names.contains("visual_projection.weight"), names.contains(where: { $0.hasPrefix("vision_model.") }) {
            return .huggingFaceCLIP
        }
        return nil
    }
}
