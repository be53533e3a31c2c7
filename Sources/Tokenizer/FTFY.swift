import Foundation

/// A port of `ftfy.fix_text` (ftfy 6.3, default configuration) on code point arrays: HTML entities,
/// mojibake repair, C1 controls, Latin ligatures, character width, curly quotes, line breaks,
/// terminal escapes, control characters, NFC — repeated until the text stops changing.
enum FTFY {
    /// A single-byte charmap: byte → code point (nil when undefined), and its inverse.
    struct Charmap: Sendable {
        let name: String
        let decode: [UInt32?]
        let encode: [UInt32: UInt8]

        init(name: String, table: String) {
            self.name = name
            decode = table.split(separator: " ").map { $0 == "-" ? nil : UInt32($0, radix: 16)! }
            var enc: [UInt32: UInt8] = [:]
            for (b, c) in decode.enumerated() { if let c { enc[c] = UInt8(b) } }
            encode = enc
        }

        /// `text.encode(name)`, or nil when a character has no byte.
        func encoded(_ text: [UInt32]) -> [UInt8]? {
            var out: [UInt8] = []
            out.reserveCapacity(text.count)
            for c in text {
                guard let b = encode[c] else { return nil }
                out.append(b)
            }
            return out
        }

        /// `bytes.decode(name)` (strict), or nil when a byte is undefined.
        func decoded(_ bytes: [UInt8]) -> [UInt32]? {
            var out: [UInt32] = []
            out.reserveCapacity(bytes.count)
            for b in bytes {
                guard let c = decode[Int(b)] else { return nil }
                out.append(c)
            }
            return out
        }
    }

    struct Data: Sendable {
        /// CHARMAP_ENCODINGS in trial order.
        let charmaps: [Charmap]
        let windows1252: Charmap
        let sloppy1252: Charmap
        let latin1: Charmap
        let width: [UInt32: [UInt32]]
        let ligatures: [UInt32: [UInt32]]
        let continuationStrict: CodePointSet
        let continuation: CodePointSet
        let firstOf2: CodePointSet
        let firstOf3: CodePointSet
        let firstOf4: CodePointSet
    }

    static let data: Data = {
        let maps = ReferenceTables.charmaps.map { Charmap(name: $0.name, table: $0.table) }
        func clue(_ name: String) -> CodePointSet { CodePointSet(ranges: ReferenceTables.utf8Clues[name]!) }
        return Data(
            charmaps: Array(maps.dropLast()),
            windows1252: maps.last!,
            sloppy1252: maps.first { $0.name == "sloppy-windows-1252" }!,
            latin1: maps.first { $0.name == "latin-1" }!,
            width: parseCodePointMap(ReferenceTables.widthMap),
            ligatures: parseCodePointMap(ReferenceTables.ligatures),
            continuationStrict: clue("utf8_continuation_strict"),
            continuation: clue("utf8_continuation"),
            firstOf2: clue("utf8_first_of_2"),
            firstOf3: clue("utf8_first_of_3"),
            firstOf4: clue("utf8_first_of_4"))
    }()

    // MARK: fix_text

    /// `ftfy.fix_text(text)`: fixes line by line; HTML unescaping is switched off from the first line
    /// containing `<` onwards.
    static func fixText(_ text: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(text.count)
        var unescape = true
        var pos = 0
        while pos < text.count {
            var end = pos
            while end < text.count, text[end] != 0x0A { end += 1 }
            end = min(end + 1, text.count)
            let segment = Array(text[pos..<end])
            if unescape && segment.contains(0x3C) { unescape = false }
            out += fixSegment(segment, unescapeHTML: unescape)
            pos = end
        }
        return out
    }

    /// `ftfy.fix_and_explain(segment)` without the explanation.
    static func fixSegment(_ segment: [UInt32], unescapeHTML: Bool) -> [UInt32] {
        var text = segment
        while true {
            let original = text
            if unescapeHTML { text = HTMLEntities.ftfyUnescape(text) }
            text = fixEncoding(text)
            text = fixC1Controls(text)
            text = translate(text, data.ligatures)
            text = fixCharacterWidth(text)
            text = uncurlQuotes(text)
            text = fixLineBreaks(text)
            // fix_surrogates: Swift strings hold no lone surrogates.
            text = removeTerminalEscapes(text)
            text = removeControlChars(text)
            text = nfc(text)
            if text == original { return text }
        }
    }

    // MARK: simple fixers

    static func translate(_ text: [UInt32], _ map: [UInt32: [UInt32]]) -> [UInt32] {
        guard text.contains(where: { map[$0] != nil }) else { return text }
        var out: [UInt32] = []
        out.reserveCapacity(text.count)
        for c in text {
            if let r = map[c] { out += r } else { out.append(c) }
        }
        return out
    }

    static func fixCharacterWidth(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(where: { $0 == 0x3000 || (0xFF01..<0xFFF0).contains($0) }) else { return text }
        return translate(text, data.width)
    }

    static func uncurlQuotes(_ text: [UInt32]) -> [UInt32] {
        text.map { c in
            if c == 0x2BC || (0x2018...0x201B).contains(c) { return 0x27 }
            if (0x201C...0x201F).contains(c) { return 0x22 }
            return c
        }
    }

    static func fixLineBreaks(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(where: { $0 == 0x0D || $0 == 0x2028 || $0 == 0x2029 || $0 == 0x85 }) else { return text }
        var out: [UInt32] = []
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == 0x0D {
                out.append(0x0A)
                if i + 1 < text.count, text[i + 1] == 0x0A { i += 1 }
            } else if c == 0x2028 || c == 0x2029 || c == 0x85 {
                out.append(0x0A)
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }

    /// Removes `ESC [ (digits|;)* letter` sequences.
    static func removeTerminalEscapes(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(0x1B) else { return text }
        var out: [UInt32] = []
        var i = 0
        while i < text.count {
            if text[i] == 0x1B, i + 1 < text.count, text[i + 1] == 0x5B {
                var j = i + 2
                while j < text.count, (0x30...0x39).contains(text[j]) || text[j] == 0x3B { j += 1 }
                if j < text.count, (0x41...0x5A).contains(text[j]) || (0x61...0x7A).contains(text[j]) {
                    i = j + 1
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    static func isControl(_ c: UInt32) -> Bool {
        c < 0x09 || c == 0x0B || (0x0E..<0x20).contains(c) || c == 0x7F || (0x206A..<0x2070).contains(c)
            || c == 0xFEFF || (0xFFF9..<0xFFFD).contains(c)
    }

    static func removeControlChars(_ text: [UInt32]) -> [UInt32] {
        text.contains(where: isControl) ? text.filter { !isControl($0) } : text
    }

    /// Unicode NFC (through Foundation; ASCII is returned as is).
    static func nfc(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(where: { $0 >= 0x300 }) else { return text }
        let string = String(String.UnicodeScalarView(text.map { Unicode.Scalar($0)! }))
        return string.precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
    }

    static func fixC1Controls(_ text: [UInt32]) -> [UInt32] {
        guard text.contains(where: { (0x80...0x9F).contains($0) }) else { return text }
        return text.map { (0x80...0x9F).contains($0) ? data.sloppy1252.decode[Int($0)]! : $0 }
    }
}
