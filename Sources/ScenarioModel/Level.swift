/// The three levels ScenarioCLIP aligns.
public enum Level: String, CaseIterable, Codable, Sendable {
    /// Whole image ↔ action caption.
    case global
    /// Object crop (black canvas with the box pasted back) ↔ object name.
    case object
    /// Focused region ↔ "subject predicate object".
    case relation
}
