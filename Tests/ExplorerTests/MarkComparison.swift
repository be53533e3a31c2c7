import EmbeddingCache

extension AnnotationMark {
    /// What the reviewer said (scene, target, verdict, note), leaving out when: the form tests compare.
    var said: String { "\(sceneID) \(target) \(verdict.rawValue) \(note)" }
}

extension Array where Element == AnnotationMark {
    /// Each mark's ``AnnotationMark/said``.
    var said: [String] { map(\.said) }
}
