import Foundation

/// Turns the character offsets Foundation's JSON parser reports ("… around character 35.") into
/// 1-based line and column numbers.
enum JSONTextPosition {
    /// Line and column of the byte at `offset` in `data` (lines split at `\n`; columns count UTF-8
    /// bytes). An offset past the end gives the position just after the last byte.
    static func lineColumn(ofOffset offset: Int, in data: Data) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        let end = min(max(offset, 0), data.count)
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for i in 0..<end {
                if bytes[i] == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
        }
        return (line, column)
    }

    /// The offset named in a Foundation JSON error ("character N" or "index N"), if any.
    static func offset(in error: Error) -> Int? {
        let ns = error as NSError
        var texts = [ns.localizedDescription]
        if let debug = ns.userInfo[NSDebugDescriptionErrorKey] as? String { texts.insert(debug, at: 0) }
        if let index = ns.userInfo["NSJSONSerializationErrorIndex"] as? Int { return index }
        for text in texts {
            for marker in ["character ", "index ", "offset "] {
                guard let range = text.range(of: marker) else { continue }
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let value = Int(digits) { return value }
            }
        }
        return nil
    }

    /// The parser's explanation without its "around character N" tail.
    static func reason(of error: Error) -> String {
        let ns = error as NSError
        var text = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
        if let range = text.range(of: " around character ") ?? text.range(of: " at index ") {
            text = String(text[..<range.lowerBound])
        }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
