import Foundation

/// A query as typed in the query line: one plain text, or a weighted sum of quoted texts such as
/// `"2:dog" + "ball" - "grass"` (a term's weight is written `W:` inside its quotes; `-` negates it).
public struct QueryText: Equatable, Sendable {
    /// One text and its weight.
    public struct Term: Equatable, Sendable {
        public var text: String
        public var weight: Float

        public init(_ text: String, _ weight: Float) {
            self.text = text
            self.weight = weight
        }
    }

    /// Parses `source`; text without quotes is one term of weight 1.
    /// - Throws: ``ExplorerError/query(_:)`` naming the position of the problem.
    public static func parse(_ source: String) throws -> [Term] {
        let trimmed = source.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ExplorerError.query("empty query") }
        guard trimmed.contains("\"") else { return [Term(trimmed, 1)] }
        var terms: [Term] = []
        var sign: Float = 1
        var expectTerm = true
        var chars = Array(trimmed)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " { i += 1; continue }
            if expectTerm {
                if c == "-" { sign = -sign; i += 1; continue }
                if c == "+" { i += 1; continue }
                guard c == "\"" else { throw ExplorerError.query("expected a quoted text at column \(i + 1)") }
                guard let close = chars[(i + 1)...].firstIndex(of: "\"") else {
                    throw ExplorerError.query("unclosed quote at column \(i + 1)")
                }
                var text = String(chars[(i + 1)..<close]).trimmingCharacters(in: .whitespaces)
                var weight: Float = 1
                if let colon = text.firstIndex(of: ":"), let w = Float(text[..<colon].trimmingCharacters(in: .whitespaces)) {
                    weight = w
                    text = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                }
                guard !text.isEmpty else { throw ExplorerError.query("empty text at column \(i + 1)") }
                terms.append(Term(text, sign * weight))
                sign = 1
                expectTerm = false
                i = close + 1
            } else {
                if c == "+" { sign = 1 } else if c == "-" { sign = -1 } else {
                    throw ExplorerError.query("expected + or - at column \(i + 1)")
                }
                expectTerm = true
                i += 1
            }
        }
        if expectTerm { throw ExplorerError.query("expression ends with an operator") }
        chars.removeAll()
        return terms
    }
}
