/// open_clip's `_clean_lower`: `ftfy.fix_text`, `html.unescape` twice, whitespace clean-up
/// (Python `str.split` semantics), then Python `str.lower` (with the Final_Sigma rule).
enum TextCleaner {
    struct Tables: Sendable {
        let pythonSpace: CodePointSet
        let lowercase: [UInt32: [UInt32]]
        let cased: CodePointSet
        let caseIgnorable: CodePointSet
    }

    static let tables = Tables(
        pythonSpace: CodePointSet(ranges: ReferenceTables.pythonSpace),
        lowercase: parseCodePointMap(ReferenceTables.lowercase),
        cased: CodePointSet(ranges: ReferenceTables.cased),
        caseIgnorable: CodePointSet(ranges: ReferenceTables.caseIgnorable))

    /// The cleaned, lower-cased text as code points.
    static func clean(_ text: String) -> [UInt32] {
        var s = text.unicodeScalars.map(\.value)
        if !isPlainASCII(s) {
            s = FTFY.fixText(s)
        } else if s.contains(0x26) || s.contains(0x1B) || s.contains(where: FTFY.isControl) || s.contains(0x0D) {
            s = FTFY.fixText(s)  // entities, escapes and controls are ftfy's business even in ASCII
        }
        s = HTMLEntities.unescape(HTMLEntities.unescape(s))
        s = whitespaceClean(s)
        return lower(s)
    }

    private static func isPlainASCII(_ s: [UInt32]) -> Bool { !s.contains(where: { $0 >= 0x80 }) }

    /// `" ".join(text.split())`.
    static func whitespaceClean(_ s: [UInt32]) -> [UInt32] {
        let space = tables.pythonSpace
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var pendingSpace = false
        for c in s {
            if space.contains(c) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(c)
            }
        }
        return out
    }

    /// Python's `str.lower`.
    static func lower(_ s: [UInt32]) -> [UInt32] {
        let t = tables
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        for (i, c) in s.enumerated() {
            if c < 0x80 {
                out.append(c >= 0x41 && c <= 0x5A ? c + 0x20 : c)
            } else if c == 0x3A3 {
                out.append(isFinalSigma(s, i) ? 0x3C2 : 0x3C3)
            } else if let l = t.lowercase[c] {
                out += l
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// CPython's `handle_capital_sigma`.
    private static func isFinalSigma(_ s: [UInt32], _ i: Int) -> Bool {
        let t = tables
        var j = i - 1
        while j >= 0 && t.caseIgnorable.contains(s[j]) { j -= 1 }
        guard j >= 0 && t.cased.contains(s[j]) else { return false }
        j = i + 1
        while j < s.count && t.caseIgnorable.contains(s[j]) { j += 1 }
        return j == s.count || !t.cased.contains(s[j])
    }
}
