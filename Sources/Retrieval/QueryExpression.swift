/// A weighted combination of text and image queries, e.g. `"2:dog" + "ball" - "grass"`.
///
/// Syntax:
/// - A **bare** expression (no `"` anywhere) is one term: `dog on a table`, `img:photos/cat.jpg`, `@cat.jpg`.
/// - Otherwise terms are **quoted** and joined by `+` / `-`: `"2:dog" + "ball" - "img:grass.jpg"`.
///   A term may start with a sign (`- "grass"`).
/// - Inside a term, an optional weight prefix `NUMBER:` (`"2:dog"`, `"0.5:@a.jpg"`); the weight may also
///   stand before the quotes as `2:"dog"` or `2*"dog"`. Default weight 1; `-` negates it.
/// - A term body starting with `img:` or `@` is an image path; anything else is text.
///   `\"` and `\\` escape a quote or backslash inside quotes.
/// Errors name the 1-based column of the problem.
public struct QueryExpression: Sendable, Equatable {
    /// One weighted term.
    public struct Term: Sendable, Equatable {
        /// What the term refers to.
        public enum Kind: Sendable, Equatable {
            case text(String)
            case image(path: String)
        }

        public var kind: Kind
        /// Signed weight (sign from `+` / `-`).
        public var weight: Float

        public init(_ kind: Kind, weight: Float = 1) {
            self.kind = kind
            self.weight = weight
        }
    }

    /// Terms in source order.
    public var terms: [Term]

    public init(terms: [Term]) { self.terms = terms }

    /// Parses `source`.
    /// - Throws: ``RetrievalError/syntax(message:column:expression:)`` naming the column of the problem.
    public init(parsing source: String) throws {
        var parser = Parser(source: source)
        terms = try parser.parse()
    }

    /// Combined query vector: `normalize(Σ wᵢ · normalize(eᵢ))`, with `embed` giving each term's vector.
    /// - Throws: what `embed` throws, or ``RetrievalError`` when vectors differ in length or cancel out.
    public func embedding(_ embed: (Term) throws -> [Float]) throws -> [Float] {
        try Self.combine(terms.map { (weight: $0.weight, vector: try embed($0)) })
    }

    /// `normalize(Σ w · normalize(v))`.
    /// - Throws: ``RetrievalError`` for empty input, mismatched lengths, a zero vector, or a zero sum.
    public static func combine(_ parts: [(weight: Float, vector: [Float])]) throws -> [Float] {
        guard let first = parts.first else { throw RetrievalError.degenerateVector(what: "empty combination") }
        var sum = [Float](repeating: 0, count: first.vector.count)
        for (i, part) in parts.enumerated() {
            guard part.vector.count == sum.count else {
                throw RetrievalError.dimensionMismatch(expected: sum.count, actual: part.vector.count, what: "term \(i + 1) vector")
            }
            let norm = part.vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0, norm.isFinite else { throw RetrievalError.degenerateVector(what: "term \(i + 1) vector") }
            let scale = part.weight / norm
            for j in sum.indices { sum[j] += scale * part.vector[j] }
        }
        let norm = sum.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-6 * Float(parts.count), norm.isFinite else {
            throw RetrievalError.degenerateVector(what: "combined query (the weighted terms cancel out)")
        }
        return sum.map { $0 / norm }
    }
}

extension QueryExpression {
    /// Recursive-descent parser over the source's characters.
    fileprivate struct Parser {
        let source: String
        let chars: [Character]
        var i = 0

        init(source: String) {
            self.source = source
            chars = Array(source)
        }

        func fail(_ message: String, at index: Int) -> RetrievalError {
            .syntax(message: message, column: index + 1, expression: source)
        }

        mutating func skipSpaces() {
            while i < chars.count && chars[i].isWhitespace { i += 1 }
        }

        mutating func parse() throws -> [Term] {
            guard chars.contains("\"") else { return [try bareTerm()] }
            var terms: [Term] = []
            skipSpaces()
            if i == chars.count { throw fail("empty query", at: 0) }
            var sign: Float = 1
            if chars[i] == "+" || chars[i] == "-" {
                sign = chars[i] == "-" ? -1 : 1
                i += 1
            }
            while true {
                skipSpaces()
                var term = try quotedTerm()
                term.weight *= sign
                terms.append(term)
                skipSpaces()
                if i == chars.count { return terms }
                switch chars[i] {
                case "+": sign = 1
                case "-": sign = -1
                default: throw fail("expected '+' or '-' between terms, found '\(chars[i])'", at: i)
                }
                i += 1
                skipSpaces()
                if i == chars.count { throw fail("expected a quoted term after '\(chars[i - 1])'", at: i) }
            }
        }

        /// The whole source as one term.
        mutating func bareTerm() throws -> Term {
            let start = chars.firstIndex { !$0.isWhitespace } ?? chars.count
            let end = (chars.lastIndex { !$0.isWhitespace } ?? -1) + 1
            guard start < end else { throw fail("empty query", at: 0) }
            return try body(String(chars[start..<end]), at: start)
        }

        /// `[NUMBER (':'|'*')] '"' body '"'`
        mutating func quotedTerm() throws -> Term {
            var weight: Float = 1
            let start = i
            if i < chars.count, chars[i] != "\"" {
                while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
                guard i > start, i < chars.count, chars[i] == ":" || chars[i] == "*" else {
                    let at = i > start ? i : start
                    let found = at < chars.count ? "'\(chars[at])'" : "the end"
                    throw fail("expected a quoted term, found \(found)", at: at)
                }
                weight = try number(String(chars[start..<i]), at: start)
                i += 1
                skipSpaces()
                guard i < chars.count, chars[i] == "\"" else { throw fail("expected '\"' after the weight", at: i) }
            }
            let open = i
            i += 1
            var text = ""
            var closed = false
            while i < chars.count {
                let c = chars[i]
                if c == "\\", i + 1 < chars.count, chars[i + 1] == "\"" || chars[i + 1] == "\\" {
                    text.append(chars[i + 1])
                    i += 2
                } else if c == "\"" {
                    closed = true
                    i += 1
                    break
                } else {
                    text.append(c)
                    i += 1
                }
            }
            guard closed else { throw fail("unterminated quote", at: open) }
            var term = try body(text, at: open + 1)
            term.weight *= weight
            return term
        }

        /// `[NUMBER ':'] ('img:' PATH | '@' PATH | TEXT)`, with `offset` the column index of the body.
        func body(_ raw: String, at offset: Int) throws -> Term {
            var text = Substring(raw)
            var weight: Float = 1
            var consumed = 0
            if let colon = text.firstIndex(of: ":"), colon > text.startIndex,
                text[..<colon].allSatisfy({ $0.isNumber || $0 == "." }), text[..<colon].contains(where: \.isNumber)
            {
                weight = try number(String(text[..<colon]), at: offset)
                consumed = text.distance(from: text.startIndex, to: colon) + 1
                text = text[text.index(after: colon)...]
            }
            let trimmed = text.drop { $0.isWhitespace }
            consumed += text.count - trimmed.count
            text = Substring(String(trimmed).trimmingTrailingWhitespace())
            if text.isEmpty { throw fail("empty term", at: offset + consumed) }
            for prefix in ["img:", "@"] where text.hasPrefix(prefix) {
                let path = text.dropFirst(prefix.count).drop { $0.isWhitespace }
                if path.isEmpty { throw fail("image term without a path", at: offset + consumed) }
                return Term(.image(path: String(path)), weight: weight)
            }
            return Term(.text(String(text)), weight: weight)
        }

        func number(_ s: String, at index: Int) throws -> Float {
            guard let w = Float(s), w.isFinite else { throw fail("invalid weight '\(s)'", at: index) }
            guard w != 0 else { throw fail("weight must not be zero", at: index) }
            return w
        }
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
