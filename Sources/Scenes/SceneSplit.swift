/// Which part of a dataset a scene belongs to.
public enum SceneSplit: String, Sendable, Hashable, CaseIterable, Codable {
    case train
    case val
    case test
}
