/// Orders of the scene list; `s` cycles through them.
public enum SceneSort: String, CaseIterable, Sendable {
    case dataset, id, action, objects

    /// The next order in the cycle.
    public var next: SceneSort {
        let all = SceneSort.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// Display name in the title bar.
    public var title: String {
        switch self {
        case .dataset: return "dataset order"
        case .id: return "id"
        case .action: return "action"
        case .objects: return "most objects"
        }
    }
}
