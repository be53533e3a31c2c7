/// CLIP's pre-tokenisation regex (open_clip's `SimpleTokenizer.pat`, IGNORECASE):
/// `<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`,
/// run over already lower-cased text. Character classes come from the `regex` module's own tables.
enum PreTokenizer {
    /// One match of the pattern.
    enum Piece: Equatable {
        /// Exactly `<start_of_text>` or `<end_of_text>` (open_clip maps these to the special ids).
        case special(Int32)
        /// Any other match: code point range in the text.
        case word(Range<Int>)
    }

    struct Tables: Sendable {
        let letters: CodePointSet
        let numbers: CodePointSet
        let others: CodePointSet
    }

    static let tables = Tables(
        letters: CodePointSet(ranges: ReferenceTables.letters),
        numbers: CodePointSet(ranges: ReferenceTables.numbers),
        others: CodePointSet(ranges: ReferenceTables.others))

    private static let startOfText = Array("<start_of_text>".unicodeScalars.map(\.value))
    private static let endOfText = Array("<end_of_text>".unicodeScalars.map(\.value))
    private static let contractions: [[UInt32]] = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map {
        $0.unicodeScalars.map(\.value)
    }

    /// Case-insensitive literal match as the `regex` module does it on lower-case text:
    /// only `ſ` (U+017F) folds onto an ASCII letter used here (`s`).
    private static func literal(_ lit: [UInt32], _ s: [UInt32], _ i: Int) -> (matched: Bool, exact: Bool) {
        guard i + lit.count <= s.count else { return (false, false) }
        var exact = true
        for k in 0..<lit.count {
            let c = s[i + k]
            if c == lit[k] { continue }
            if lit[k] == 0x73 && c == 0x17F {
                exact = false
                continue
            }
            return (false, false)
        }
        return (true, exact)
    }

    /// All matches of the pattern, in order (what `re.findall` returns).
    static func split(_ s: [UInt32]) -> [Piece] {
        let t = tables
        var pieces: [Piece] = []
        var i = 0
        outer: while i < s.count {
            let c = s[i]
            if c == 0x3C {  // '<'
                for (lit, id) in [(startOfText, Int32(49406)), (endOfText, Int32(49407))] {
                    let m = literal(lit, s, i)
                    if m.matched {
                        pieces.append(m.exact ? .special(id) : .word(i..<(i + lit.count)))
                        i += lit.count
                        continue outer
                    }
                }
            }
            if c == 0x27 {  // '\''
                for lit in contractions where literal(lit, s, i).matched {
                    pieces.append(.word(i..<(i + lit.count)))
                    i += lit.count
                    continue outer
                }
            }
            if t.letters.contains(c) {
                var j = i + 1
                while j < s.count && t.letters.contains(s[j]) { j += 1 }
                pieces.append(.word(i..<j))
                i = j
            } else if t.numbers.contains(c) {
                pieces.append(.word(i..<(i + 1)))
                i += 1
            } else if t.others.contains(c) {
                var j = i + 1
                while j < s.count && t.others.contains(s[j]) { j += 1 }
                pieces.append(.word(i..<j))
                i = j
            } else {
                i += 1  // whitespace (and U+0345, which no branch matches under IGNORECASE)
            }
        }
        return pieces
    }
}
