/// The ScenarioCLIP level a cached vector belongs to (the cache's own copy of the model's level names,
/// so the cache does not depend on the model module).
public enum CacheLevel: String, Sendable, CaseIterable, Codable, Hashable {
    /// Whole scene image ↔ action.
    case global
    /// Object canvas ↔ object name.
    case object
    /// Focused region ↔ relation triple.
    case relation
}
