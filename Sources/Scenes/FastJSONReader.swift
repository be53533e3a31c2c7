/// A value read by ``FastJSONReader``: plain Swift values, no Foundation bridging.
enum FastJSONNode {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FastJSONNode])
    /// Members in file order (duplicate keys make the reader decline, so keys are unique).
    case object([(key: String, value: FastJSONNode)])
}

/// A strict, byte-level JSON reader for the common case of the metadata fast path.
///
/// It accepts a subset of JSON (RFC 8259) and *declines* — throws ``Decline`` — for anything else: string
/// escapes, control characters or invalid UTF-8 in strings, duplicate object keys, numbers that are not
/// finite doubles, nesting deeper than 64. A decline never means the text is wrong; the caller then falls
/// back to Foundation's parser, which has the final word and reports syntax errors with their position.
/// Everything it accepts, Foundation accepts too, with the same values.
struct FastJSONReader {
    /// Why the reader gave up (the caller falls back to the full parser).
    struct Decline: Error {}

    let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    var position: Int

    init(bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var atEnd: Bool { position >= bytes.count }

    /// The next byte after whitespace, without consuming it (`nil` at the end).
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return atEnd ? nil : bytes[position]
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Consumes `byte` after whitespace, or declines.
    mutating func expect(_ byte: UInt8) throws(Decline) {
        guard peek() == byte else { throw Decline() }
        position += 1
    }

    /// Reads one value (after whitespace).
    mutating func value(depth: Int = 0) throws(Decline) -> FastJSONNode {
        guard depth < 64, let byte = peek() else { throw Decline() }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw Decline()
        }
    }

    mutating func literal(_ text: StaticString) throws(Decline) {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw Decline() }
        let start = text.utf8Start
        for k in 0..<count where bytes[position + k] != start[k] { throw Decline() }
        position += count
    }

    private mutating func object(depth: Int) throws(Decline) -> FastJSONNode {
        position += 1  // {
        var members: [(key: String, value: FastJSONNode)] = []
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw Decline() }
            let key = try string()
            for member in members where member.key == key { throw Decline() }
            try expect(UInt8(ascii: ":"))
            members.append((key, try value(depth: depth + 1)))
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw Decline()
            }
        }
    }

    private mutating func array(depth: Int) throws(Decline) -> FastJSONNode {
        position += 1  // [
        var elements: [FastJSONNode] = []
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth + 1))
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw Decline()
            }
        }
    }

    /// A string without escapes (at the opening quote).
    mutating func string() throws(Decline) -> String {
        let (range, ascii) = try stringBytes()
        return try Self.text(UnsafeRawBufferPointer(rebasing: bytes[range]), ascii: ascii)
    }

    /// The bytes of a string without escapes (at the opening quote), and whether they are all ASCII; the
    /// position moves past the closing quote. Declines on escapes and control characters.
    mutating func stringBytes() throws(Decline) -> (range: Range<Int>, ascii: Bool) {
        position += 1  // "
        let start = position
        var bits: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return (start..<position - 1, bits < 0x80)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { throw Decline() }
            bits |= byte
            position += 1
        }
        throw Decline()
    }

    /// The text of string bytes read by ``stringBytes()``: ASCII bytes are copied without the generic
    /// validation; other bytes must be valid UTF-8 (or the reader declines).
    static func text(_ bytes: UnsafeRawBufferPointer, ascii: Bool) throws(Decline) -> String {
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Decline() }
        return text
    }

    /// A number in JSON's grammar; small integers are read directly, others through `Double(String)`
    /// (locale-independent, correctly rounded).
    mutating func number() throws(Decline) -> Double {
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                position += 1
            }
            return position - first
        }
        var integral = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let intStart = position
        let intDigits = digits()
        guard intDigits > 0, intDigits == 1 || bytes[intStart] != UInt8(ascii: "0") else { throw Decline() }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw Decline() }
            integral = false
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { throw Decline() }
            integral = false
        }
        if integral && intDigits <= 15 {
            var value = 0
            for k in intStart..<position { value = value * 10 + Int(bytes[k] - UInt8(ascii: "0")) }
            return bytes[start] == UInt8(ascii: "-") ? -Double(value) : Double(value)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw Decline() }
        return value
    }

    /// Skips one value without reading it, only matching brackets and strings (at the value's first byte).
    /// It finds the end of any valid value; for invalid text the range it skips is checked by the caller.
    mutating func skipValue() throws(Decline) {
        guard let first = peek() else { throw Decline() }
        var depth = 0
        if first != UInt8(ascii: "{") && first != UInt8(ascii: "[") && first != UInt8(ascii: "\"") {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), 0x20, 0x0A, 0x0D, 0x09: return
                default: position += 1
                }
            }
            return
        }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                while position < bytes.count && bytes[position] != UInt8(ascii: "\"") {
                    position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard position < bytes.count else { throw Decline() }
                position += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
            if depth == 0 { return }
        }
        throw Decline()
    }
}
