import Foundation

/// The elements of a JSON file's top-level array, one at a time, from a memory-mapped file: only one element is
/// parsed (by Foundation's parser) at a time, so memory stays bounded by the largest element, not the file.
///
/// Element boundaries are found by matching brackets outside strings (escapes honoured); the element's text is
/// then parsed in full, so a syntax error inside an element is reported with the element's position.
struct JSONArrayStream {
    let url: URL
    private let data: Data
    /// Byte offset of the next element.
    private(set) var position = 0
    /// Index of the next element.
    private(set) var index = 0
    private var finished = false

    var byteCount: Int { data.count }

    init(url: URL) throws {
        self.url = url
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SceneImportError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var p = Self.skipSpace(bytes, 0)
            if p + 3 <= bytes.count, bytes[p] == 0xEF, bytes[p + 1] == 0xBB, bytes[p + 2] == 0xBF { p = Self.skipSpace(bytes, p + 3) }
            guard p < bytes.count, bytes[p] == UInt8(ascii: "[") else {
                throw SceneImportError.malformed(file: url.path, detail: "expected a JSON array at the top")
            }
            p = Self.skipSpace(bytes, p + 1)
            if p < bytes.count, bytes[p] == UInt8(ascii: "]") { finished = true }
            position = p
        }
    }

    /// The next element parsed, or `nil` after the last.
    mutating func next() throws -> Any? {
        guard let range = try nextRange() else { return nil }
        return try parse(range, element: index - 1)
    }

    /// Parses the element at `range` (from ``nextRange()``).
    func parse(_ range: Range<Int>, element at: Int) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data.subdata(in: range), options: [.fragmentsAllowed])
        } catch {
            throw SceneImportError.malformed(
                file: url.path, detail: "element \(at) (bytes \(range.lowerBound)..<\(range.upperBound)) is not JSON: \((error as NSError).localizedDescription)")
        }
    }

    /// The text of the member `key` of the object at `range` when it is a number or a string without escapes
    /// (found without parsing the rest), or `nil`.
    func memberText(_ key: String, in range: Range<Int>) -> String? {
        let quoted = Array("\"\(key)\"".utf8)
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
            var p = range.lowerBound, depth = 0
            while p < range.upperBound {
                let b = bytes[p]
                if b == UInt8(ascii: "\"") {
                    let start = p
                    p += 1
                    while p < range.upperBound, bytes[p] != UInt8(ascii: "\"") { p += bytes[p] == UInt8(ascii: "\\") ? 2 : 1 }
                    p += 1
                    guard depth == 1, p - start == quoted.count, zip(quoted, bytes[start..<p]).allSatisfy({ $0 == $1 }) else { continue }
                    var q = Self.skipSpace(bytes, p)
                    guard q < range.upperBound, bytes[q] == UInt8(ascii: ":") else { continue }
                    q = Self.skipSpace(bytes, q + 1)
                    var end = q
                    if q < range.upperBound, bytes[q] == UInt8(ascii: "\"") {
                        end = q + 1
                        while end < range.upperBound, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
                        guard end < range.upperBound, bytes[end] == UInt8(ascii: "\"") else { return nil }
                        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(q + 1)..<end]), as: UTF8.self)
                    }
                    while end < range.upperBound, bytes[end] == UInt8(ascii: "-") || (bytes[end] >= UInt8(ascii: "0") && bytes[end] <= UInt8(ascii: "9")) { end += 1 }
                    guard end > q, end == range.upperBound || !(bytes[end] == UInt8(ascii: ".") || bytes[end] | 0x20 == UInt8(ascii: "e")) else { return nil }
                    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[q..<end]), as: UTF8.self)
                }
                if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
                if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") { depth -= 1 }
                p += 1
            }
            return nil
        }
    }

    /// The byte range of the next element without parsing it, or `nil` after the last.
    mutating func nextRange() throws -> Range<Int>? {
        guard !finished else { return nil }
        let file = url.path, at = index
        let range: Range<Int> = try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let start = position
            var p = start, depth = 0
            scan: while p < bytes.count {
                let b = bytes[p]
                switch b {
                case UInt8(ascii: "\""):
                    p += 1
                    while p < bytes.count, bytes[p] != UInt8(ascii: "\"") { p += bytes[p] == UInt8(ascii: "\\") ? 2 : 1 }
                    guard p < bytes.count else { break scan }
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { break scan }
                    depth -= 1
                case UInt8(ascii: ","): if depth == 0 { break scan }
                default: break
                }
                p += 1
            }
            guard p < bytes.count, depth == 0, p > start else {
                throw SceneImportError.malformed(file: file, detail: "element \(at) of the top-level array is not complete (the file ends inside it)")
            }
            let end = p
            if bytes[p] == UInt8(ascii: "]") {
                finished = true
            } else if bytes[p] == UInt8(ascii: ",") {
                p = Self.skipSpace(bytes, p + 1)
            } else {
                throw SceneImportError.malformed(file: file, detail: "element \(at) of the top-level array ends with an unmatched '}'")
            }
            position = p
            return start..<end
        }
        index += 1
        return range
    }

    private static func skipSpace(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var p = start
        while p < bytes.count, bytes[p] == 0x20 || bytes[p] == 0x0A || bytes[p] == 0x0D || bytes[p] == 0x09 { p += 1 }
        return p
    }
}
