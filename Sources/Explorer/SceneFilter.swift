/// A scene-list filter typed by the user: space-separated terms, each `field:value` (fields `action`,
/// `object`, `relation`, `tag`, `id`) or a bare word matching any label. Quotes keep spaces:
/// `relation:"dog chasing ball"`. All terms must match (case-insensitive substring).
public struct SceneFilter: Equatable, Sendable {
    /// A field a term can name.
    public enum Field: String, CaseIterable, Sendable {
        case any, id, action, object, relation, tag
    }

    /// One `field:value` condition.
    public struct Term: Equatable, Sendable {
        public var field: Field
        public var value: String
    }

    public var text: String
    public private(set) var terms: [Term]

    /// Parses `text`; unknown `field:` prefixes are treated as bare words.
    public init(_ text: String = "") {
        self.text = text
        terms = SceneFilter.tokenize(text).map { token in
            if let colon = token.firstIndex(of: ":"),
                let field = Field(rawValue: token[..<colon].lowercased()), field != .any
            {
                return Term(field: field, value: String(token[token.index(after: colon)...]).lowercased())
            }
            return Term(field: .any, value: token.lowercased())
        }.filter { !$0.value.isEmpty }
    }

    /// `true` when no term restricts the list.
    public var isEmpty: Bool { terms.isEmpty }

    /// `true` when `scene` satisfies every term.
    public func matches(_ scene: SceneSummary) -> Bool {
        terms.allSatisfy { term in
            func has(_ s: String) -> Bool { s.lowercased().contains(term.value) }
            switch term.field {
            case .id: return has(scene.id)
            case .action: return has(scene.action)
            case .object: return scene.objects.contains(where: has)
            case .relation: return scene.relations.contains(where: has)
            case .tag: return scene.tags.contains(where: has)
            case .any:
                return has(scene.id) || has(scene.action) || scene.objects.contains(where: has)
                    || scene.relations.contains(where: has) || scene.tags.contains(where: has)
            }
        }
    }

    static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        for c in text {
            if c == "\"" { quoted.toggle(); continue }
            if c == " " && !quoted {
                if !current.isEmpty { tokens.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}

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
