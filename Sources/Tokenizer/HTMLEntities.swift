/// Python's `html.unescape` and ftfy's `unescape_html`, on code point arrays.
enum HTMLEntities {
    struct Tables: Sendable {
        let html5: [String: [UInt32]]
        let ftfy: [String: [UInt32]]
        let invalidCharrefs: [UInt32: [UInt32]]
        let invalidCodepoints: CodePointSet
    }

    static let tables: Tables = {
        func parseLines(_ text: String) -> [String: [UInt32]] {
            var map: [String: [UInt32]] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "\t")
                map[String(parts[0])] = parts[1].split(separator: " ").map { UInt32($0, radix: 16)! }
            }
            return map
        }
        let html5 = parseLines(ReferenceTables.html5Entities)
        var ftfy = parseLines(ReferenceTables.ftfyUpperEntities)
        for (name, value) in html5 where name.hasSuffix(";") { ftfy[name] = value }
        return Tables(
            html5: html5, ftfy: ftfy,
            invalidCharrefs: parseCodePointMap(ReferenceTables.invalidCharrefs),
            invalidCodepoints: CodePointSet(ranges: ReferenceTables.invalidCodepoints))
    }()

    private static let amp: UInt32 = 0x26, hash: UInt32 = 0x23, semi: UInt32 = 0x3B

    private static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt32) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }
    private static func isAlnum(_ c: UInt32) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
    private static func ascii(_ s: ArraySlice<UInt32>) -> String {
        String(String.UnicodeScalarView(s.map { Unicode.Scalar($0)! }))
    }

    /// Python's `html.unescape(s)`.
    static func unescape(_ s: [UInt32]) -> [UInt32] {
        guard s.contains(amp) else { return s }
        let t = tables
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            guard s[i] == amp, i + 1 < s.count else {
                out.append(s[i])
                i += 1
                continue
            }
            var j = i + 1
            if s[j] == hash {
                j += 1
                var hex = false
                if j < s.count, s[j] == 0x78 || s[j] == 0x58, j + 1 < s.count, isHex(s[j + 1]) {
                    hex = true
                    j += 1
                }
                let digitsStart = j
                while j < s.count, hex ? isHex(s[j]) : isDigit(s[j]) { j += 1 }
                guard j > digitsStart else {
                    out.append(s[i])
                    i += 1
                    continue
                }
                var num: UInt32 = 0
                var overflow = false
                for k in digitsStart..<j {
                    let c = s[k]
                    let d: UInt32 = isDigit(c) ? c - 0x30 : (c | 0x20) - 0x61 + 10
                    let (m, o1) = num.multipliedReportingOverflow(by: hex ? 16 : 10)
                    let (a, o2) = m.addingReportingOverflow(d)
                    if o1 || o2 || a > 0x10FFFF { overflow = true }
                    num = overflow ? 0x110000 : a
                }
                if j < s.count, s[j] == semi { j += 1 }
                if !overflow, let replacement = t.invalidCharrefs[num] {
                    out += replacement
                } else if overflow || num > 0x10FFFF || (0xD800...0xDFFF).contains(num) {
                    out.append(0xFFFD)
                } else if t.invalidCodepoints.contains(num) {
                    // dropped
                } else {
                    out.append(num)
                }
                i = j
                continue
            }
            // named reference: [^\t\n\f <&#;]{1,32};?
            while j < s.count, j - (i + 1) < 32 {
                let c = s[j]
                if c == 0x09 || c == 0x0A || c == 0x0C || c == 0x20 || c == 0x3C || c == amp || c == hash || c == semi {
                    break
                }
                j += 1
            }
            guard j > i + 1 else {
                out.append(s[i])
                i += 1
                continue
            }
            if j < s.count, s[j] == semi { j += 1 }
            let name = s[(i + 1)..<j]
            if name.allSatisfy({ $0 < 0x80 }), let value = t.html5[ascii(name)] {
                out += value
            } else {
                var done = false
                var x = name.count - 1
                while x > 1 {
                    let prefix = name.prefix(x)
                    if prefix.allSatisfy({ $0 < 0x80 }), let value = t.html5[ascii(prefix)] {
                        out += value
                        out += name.dropFirst(x)
                        done = true
                        break
                    }
                    x -= 1
                }
                if !done {
                    out.append(amp)
                    out += name
                }
            }
            i = j
        }
        return out
    }

    /// ftfy's `fixes.unescape_html`: only `&name;` / `&#...;` forms, plus upper-cased names.
    static func ftfyUnescape(_ s: [UInt32]) -> [UInt32] {
        guard s.contains(amp) else { return s }
        let t = tables
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            guard s[i] == amp else {
                out.append(s[i])
                i += 1
                continue
            }
            var j = i + 1
            if j < s.count, s[j] == hash { j += 1 }
            let runStart = j
            while j < s.count, isAlnum(s[j]) { j += 1 }
            let n = j - runStart
            guard n >= 1, n <= 24, j < s.count, s[j] == semi else {
                out.append(s[i])
                i += 1
                continue
            }
            let match = Array(s[i...j])
            if let value = t.ftfy[ascii(s[(i + 1)...j])] {
                out += value
            } else if s[i + 1] == hash {
                let unescaped = unescape(match)
                out += unescaped.contains(semi) ? match : unescaped
            } else {
                out += match
            }
            i = j + 1
        }
        return out
    }
}
