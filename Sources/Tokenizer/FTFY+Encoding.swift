/// ftfy's mojibake repair: `fix_encoding` and the byte-level transcoders it uses.
extension FTFY {
    /// `ftfy.fix_encoding(text)`: one-step fixes until the text stops changing.
    static func fixEncoding(_ text: [UInt32]) -> [UInt32] {
        var text = text
        while true {
            let fixed = fixEncodingOneStep(text)
            if fixed == text { return text }
            text = fixed
        }
    }

    /// `ftfy._fix_encoding_one_step_and_explain` without the explanation.
    static func fixEncodingOneStep(_ text: [UInt32]) -> [UInt32] {
        if text.isEmpty || text.allSatisfy({ $0 < 0x80 }) || !Badness.isBad(text) { return text }
        var possible: [String] = []
        for map in data.charmaps {
            guard var bytes = map.encoded(text) else { continue }
            possible.append(map.name)
            if map.name != "macroman", alteredUTF8Search(bytes) {
                bytes = restoreByteA0(bytes)
            }
            if map.name.hasPrefix("sloppy") { bytes = replaceLossySequences(bytes) }
            let decoded = bytes.contains(0xED) || bytes.contains(0xC0) ? decodeUTF8Variants(bytes) : decodeUTF8(bytes)
            if let decoded { return decoded }
        }
        if utf8DetectorMatch(text, from: 0) != nil {
            let fixed = decodeInconsistentUTF8(text)
            if fixed != text { return fixed }
        }
        if possible.contains("latin-1") {
            // 'windows-1252' is never among CHARMAP_ENCODINGS, so ftfy always tries this re-decoding.
            if let bytes = data.latin1.encoded(text), let fixed = data.windows1252.decoded(bytes), fixed != text {
                return fixed
            }
        }
        if text.contains(where: { (0x80...0x9F).contains($0) }) { return fixC1Controls(text) }
        return text
    }

    // MARK: UTF-8 decoding

    /// Strict UTF-8 (Python's codec): nil on any invalid, overlong, surrogate or truncated sequence.
    static func decodeUTF8(_ bytes: [UInt8]) -> [UInt32]? {
        var out: [UInt32] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            guard let (c, n) = decodeOne(bytes, i) else { return nil }
            out.append(c)
            i += n
        }
        return out
    }

    private static func decodeOne(_ b: [UInt8], _ i: Int) -> (UInt32, Int)? {
        let b0 = b[i]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        func cont(_ k: Int) -> UInt32? {
            guard i + k < b.count, b[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(b[i + k] & 0x3F)
        }
        switch b0 {
        case 0xC2...0xDF:
            guard let c1 = cont(1) else { return nil }
            return (UInt32(b0 & 0x1F) << 6 | c1, 2)
        case 0xE0...0xEF:
            guard let c1 = cont(1), let c2 = cont(2) else { return nil }
            let c = UInt32(b0 & 0x0F) << 12 | c1 << 6 | c2
            guard c >= 0x800, !(0xD800...0xDFFF).contains(c) else { return nil }
            return (c, 3)
        case 0xF0...0xF4:
            guard let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) else { return nil }
            let c = UInt32(b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            guard c >= 0x10000, c <= 0x10FFFF else { return nil }
            return (c, 4)
        default:
            return nil
        }
    }

    /// ftfy's "utf-8-variants": UTF-8 that also accepts CESU-8 surrogate pairs and Java's `C0 80` null.
    static func decodeUTF8Variants(_ b: [UInt8]) -> [UInt32]? {
        var out: [UInt32] = []
        var i = 0
        while i < b.count {
            if b[i] == 0xC0, i + 1 < b.count, b[i + 1] == 0x80 {
                out.append(0)
                i += 2
            } else if b[i] == 0xED, i + 1 < b.count, (0xA0...0xBF).contains(b[i + 1]) {
                guard i + 5 < b.count, b[i + 1] <= 0xAF, b[i + 2] & 0xC0 == 0x80, b[i + 3] == 0xED,
                    (0xB0...0xBF).contains(b[i + 4]), b[i + 5] & 0xC0 == 0x80
                else { return nil }
                let c = (UInt32(b[i + 1] & 0x0F) << 16) + (UInt32(b[i + 2] & 0x3F) << 10)
                    + (UInt32(b[i + 4] & 0x0F) << 6) + UInt32(b[i + 5] & 0x3F) + 0x10000
                out.append(c)
                i += 6
            } else {
                guard let (c, n) = decodeOne(b, i) else { return nil }
                out.append(c)
                i += n
            }
        }
        return out
    }

    // MARK: byte transcoders

    /// Byte classes of `ALTERED_UTF8_RE`'s alternatives.
    private static let alteredUTF8: [[@Sendable (UInt8) -> Bool]] = {
        let cont: @Sendable (UInt8) -> Bool = { (0x80...0x84).contains($0) || (0x86...0x9F).contains($0) || (0xA1...0xBF).contains($0) }
        let any: @Sendable (UInt8) -> Bool = { (0x80...0xBF).contains($0) }
        let sp: @Sendable (UInt8) -> Bool = { $0 == 0x20 }
        let f0: @Sendable (UInt8) -> Bool = { $0 == 0xF0 }
        return [
            [{ [0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9].contains($0) }, sp],
            [{ $0 == 0xE2 || $0 == 0xE3 }, sp, cont],
            [{ (0xE0...0xE3).contains($0) }, cont, sp],
            [f0, sp, any, any],
            [f0, any, sp, any],
            [f0, any, any, sp],
        ]
    }()

    private static let lossyUTF8: [[@Sendable (UInt8) -> Bool]] = {
        let sub: @Sendable (UInt8) -> Bool = { $0 == 0x1A }
        let subQ: @Sendable (UInt8) -> Bool = { $0 == 0x1A || $0 == 0x3F }
        let subC: @Sendable (UInt8) -> Bool = { $0 == 0x1A || (0x80...0xBF).contains($0) }
        let subQC: @Sendable (UInt8) -> Bool = { $0 == 0x1A || $0 == 0x3F || (0x80...0xBF).contains($0) }
        let ed: @Sendable (UInt8) -> Bool = { $0 == 0xED }
        let lead3: @Sendable (UInt8) -> Bool = { (0xE0...0xEF).contains($0) }
        let lead4: @Sendable (UInt8) -> Bool = { (0xF0...0xF4).contains($0) }
        let hi: @Sendable (UInt8) -> Bool = { (0xA0...0xAF).contains($0) }
        let lo: @Sendable (UInt8) -> Bool = { (0xB0...0xBF).contains($0) }
        return [
            [{ (0xC2...0xDF).contains($0) }, sub],
            [{ $0 == 0xC2 || $0 == 0xC3 }, { $0 == 0x3F }],
            [ed, hi, subQ, ed, lo, subQC],
            [ed, hi, subQC, ed, lo, subQ],
            [lead3, subQ, subC],
            [lead3, subC, subQ],
            [lead4, subQ, subC, subC],
            [lead4, subC, subQ, subC],
            [lead4, subC, subC, subQ],
            [sub],
        ]
    }()

    /// Length of the first alternative matching at `i`, if any.
    private static func matchLength(_ alternatives: [[@Sendable (UInt8) -> Bool]], _ b: [UInt8], _ i: Int) -> Int? {
        for alt in alternatives where i + alt.count <= b.count {
            var ok = true
            for (k, test) in alt.enumerated() where !test(b[i + k]) {
                ok = false
                break
            }
            if ok { return alt.count }
        }
        return nil
    }

    static func alteredUTF8Search(_ b: [UInt8]) -> Bool {
        b.indices.contains { matchLength(alteredUTF8, b, $0) != nil }
    }

    /// `fixes.restore_byte_a0`.
    static func restoreByteA0(_ input: [UInt8]) -> [UInt8] {
        // A_GRAVE_WORD_RE: b"\xc3 (?! |quele|quela|quilo|s )" → b"\xc3\xa0 "
        var b: [UInt8] = []
        b.reserveCapacity(input.count + 4)
        var i = 0
        let exceptions: [[UInt8]] = [[0x20], Array("quele".utf8), Array("quela".utf8), Array("quilo".utf8), Array("s ".utf8)]
        while i < input.count {
            if input[i] == 0xC3, i + 1 < input.count, input[i + 1] == 0x20 {
                let rest = input[(i + 2)...]
                if !exceptions.contains(where: { rest.starts(with: $0) }) {
                    b += [0xC3, 0xA0, 0x20]
                    i += 2
                    continue
                }
            }
            b.append(input[i])
            i += 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        i = 0
        while i < b.count {
            if let n = matchLength(alteredUTF8, b, i) {
                out += b[i..<(i + n)].map { $0 == 0x20 ? 0xA0 : $0 }
                i += n
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    /// `fixes.replace_lossy_sequences`.
    static func replaceLossySequences(_ b: [UInt8]) -> [UInt8] {
        guard b.contains(where: { $0 == 0x1A || $0 == 0x3F }) else { return b }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if let n = matchLength(lossyUTF8, b, i) {
                out += [0xEF, 0xBF, 0xBD]
                i += n
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    // MARK: inconsistent UTF-8

    /// End of the `UTF8_DETECTOR_RE` match starting at `i`, if one does.
    static func utf8DetectorMatchAt(_ t: [UInt32], _ i: Int) -> Int? {
        let d = data
        if i > 0, d.continuationStrict.contains(t[i - 1]) { return nil }
        var j = i
        while true {
            func run(_ first: CodePointSet, _ n: Int) -> Bool {
                guard j + n < t.count, first.contains(t[j]) else { return false }
                for k in 1...n where !d.continuation.contains(t[j + k]) { return false }
                return true
            }
            if run(d.firstOf2, 1) {
                j += 2
            } else if run(d.firstOf3, 2) {
                j += 3
            } else if run(d.firstOf4, 3) {
                j += 4
            } else {
                break
            }
        }
        return j > i ? j : nil
    }

    /// First `UTF8_DETECTOR_RE` match at or after `from`.
    static func utf8DetectorMatch(_ t: [UInt32], from: Int) -> Range<Int>? {
        var i = from
        while i < t.count {
            if let end = utf8DetectorMatchAt(t, i) { return i..<end }
            i += 1
        }
        return nil
    }

    /// `fixes.decode_inconsistent_utf8`.
    static func decodeInconsistentUTF8(_ text: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        var pos = 0
        while let m = utf8DetectorMatch(text, from: pos) {
            out += text[pos..<m.lowerBound]
            let sub = Array(text[m])
            if sub.count < text.count && Badness.isBad(sub) {
                out += fixEncoding(sub)
            } else {
                out += sub
            }
            pos = m.upperBound
        }
        out += text[pos...]
        return out
    }
}
