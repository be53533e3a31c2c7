/// A scene-list filter typed by the user: space-separated terms, each `field:value` (fields `action`,
/// `object`, `relation`, `tag`, `id`) or a bare word matching any label. Quotes keep spaces:
/// `relation:"dog chasing ball"`. All terms must match (case-insensitive substring). The explorer's filter line
/// (`f`) and `scenarioclip dataset export --filter` read this language.
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

    /// The `object:`, `action:` and `relation:` terms whose value no name of that list in `classes` contains
    /// (the case-insensitive substring test ``matches(_:)`` applies), in the order typed: such a term matches no
    /// scene, most likely a misspelt class.
    public func unknownClasses(in classes: SceneClasses) -> [Term] {
        terms.filter { term in
            let names: [String]
            switch term.field {
            case .object: names = classes.objects
            case .action: names = classes.actions
            case .relation: names = classes.relations
            case .any, .id, .tag: return false
            }
            return !names.contains { $0.lowercased().contains(term.value) }
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
