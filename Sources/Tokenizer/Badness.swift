/// ftfy 6.3's `badness.is_bad`: does the text contain a character sequence typical of mojibake?
/// A transcription of `BADNESS_RE`'s alternatives as sequences of code point classes.
enum Badness {
    /// One position of a pattern.
    enum Atom: Sendable {
        case set(CodePointSet)
        case not(CodePointSet)
        case optionalSpace  // \s?
        case anyButNewline  // .
        case startAnchor  // ^
    }

    static let patterns: [[Atom]] = {
        func cat(_ name: String) -> CodePointSet { CodePointSet(ranges: ReferenceTables.mojibakeCategories[name]!) }
        let c1 = cat("c1"), bad = cat("bad"), law = cat("law"), currency = cat("currency")
        let sp = cat("start_punctuation"), ep = cat("end_punctuation"), numeric = cat("numeric")
        let kaomoji = cat("kaomoji"), ua = cat("upper_accented"), la = cat("lower_accented")
        let uc = cat("upper_common"), lc = cat("lower_common"), box = cat("box"), common = cat("common")
        func u(_ sets: CodePointSet...) -> Atom { .set(CodePointSet(sets)) }
        func s(_ chars: String) -> CodePointSet { CodePointSet(scalars: chars) }
        func lit(_ chars: String) -> [Atom] { chars.unicodeScalars.map { .set(CodePointSet(scalars: String($0))) } }
        let azAZ = CodePointSet(pairs: [(0x41, 0x5A), (0x61, 0x7A)])
        let az = CodePointSet(pairs: [(0x61, 0x7A)])
        let space = CodePointSet(ranges: ReferenceTables.pythonSpace)
        let word = CodePointSet(ranges: ReferenceTables.pythonWord)
        let arabic = u(common, currency, bad, numeric, sp, s("ŸŠ®°µ»"))
        let cyr = s("ВГРС"), greek = s("ΒΓΞΟ")
        return [
            [u(c1)],
            [u(bad, la, ua, box, sp, ep, currency, numeric, law), u(bad)],
            [.set(azAZ), u(lc, uc), u(bad)],
            [u(bad), u(la, ua, box, sp, ep, currency, numeric, law)],
            [u(la, lc, box, ep, currency, numeric), u(ua)],
            [u(box, ep, currency, numeric), u(la)],
            [u(la, box, ep), u(currency)],
            [.set(space), u(ua), u(currency)],
            [u(ua, box), u(numeric, law)],
            [u(la, ua, box, currency, ep), u(sp), u(numeric)],
            [u(la, ua, currency, numeric, box, law), u(ep), u(sp)],
            [u(currency, numeric, box), u(sp)],
            [.set(az), u(ua), u(sp, currency)],
            [u(box), u(kaomoji)],
            [u(la, ua, currency, numeric, sp, ep, law), u(box)],
            [u(box), u(ep)],
            [u(la, ua), u(sp, ep), .set(word)],
            [.set(s("Œœ")), .not(azAZ)],
            [u(ua)] + lit("°"),
            [.set(s("ÂÃÎÐ")), u(s("€œŠš¢£Ÿž\u{a0}\u{ad}®©°·»–—´"), sp, ep)],
            lit("×") + [.set(s("²³"))],
            [.set(s("ØÙ")), arabic, .set(s("ØÙ")), arabic],
            lit("à") + [.set(s("²µ¹¼½¾"))],
            lit("√") + [.set(s("±∂†≠®™´≤≥¥µø"))],
            lit("≈") + [.set(s("°¢"))],
            lit("‚Ä") + [.set(s("ìîïòôúùû†°¢π"))],
            lit("‚") + [.set(s("âó")), .set(s("àä°ê"))],
            lit("вЂ"),
            [.set(cyr), u(c1, bad, sp, ep, currency, s("°µ")), .set(cyr)],
            lit("ГўВЂВ") + [.anyButNewline, .set(CodePointSet(pairs: [(0x41, 0x5A), (0x61, 0x7A), (0x20, 0x20)]))],
            lit("Ã") + [.set(s("\u{a0}¡"))],
            [.set(az), .optionalSpace, .set(s("ÃÂ")), .set(s(" "))],
            [.startAnchor, .set(s("ÃÂ")), .set(s(" "))],
            [u(az, s(".,?!"), ep), .set(s("Â")), u(s(" "), sp, ep)],
            lit("β€") + [.set(s("™\u{a0}Ά\u{ad}®°"))],
            [.set(greek), u(c1, bad, sp, ep, currency, s("°")), .set(greek)],
            lit("ā€"),
        ]
    }()

    static let space = CodePointSet(ranges: ReferenceTables.pythonSpace)

    private static func match(_ atoms: [Atom], _ k: Int, _ text: [UInt32], _ i: Int) -> Bool {
        if k == atoms.count { return true }
        switch atoms[k] {
        case .startAnchor:
            return i == 0 && match(atoms, k + 1, text, i)
        case .optionalSpace:
            if i < text.count, space.contains(text[i]), match(atoms, k + 1, text, i + 1) { return true }
            return match(atoms, k + 1, text, i)
        case .set(let set):
            return i < text.count && set.contains(text[i]) && match(atoms, k + 1, text, i + 1)
        case .not(let set):
            return i < text.count && !set.contains(text[i]) && match(atoms, k + 1, text, i + 1)
        case .anyButNewline:
            return i < text.count && text[i] != 0x0A && match(atoms, k + 1, text, i + 1)
        }
    }

    /// `ftfy.badness.is_bad(text)`.
    static func isBad(_ text: [UInt32]) -> Bool {
        let pats = patterns
        // Every alternative has a non-ASCII character among its first three positions.
        for i in 0..<text.count where text[i..<min(i + 3, text.count)].contains(where: { $0 >= 0x80 }) {
            for p in pats where match(p, 0, text, i) { return true }
        }
        return false
    }
}
