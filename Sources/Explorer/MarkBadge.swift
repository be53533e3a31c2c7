import EmbeddingCache

extension AnnotationMark.Verdict {
    /// One-character badge shown in lists.
    public var badge: String {
        switch self {
        case .correct: "✓"
        case .wrong: "✗"
        case .unsure: "?"
        }
    }
}
