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
        do {
            return try JSONSerialization.jsonObject(with: data.subdata(in: range), options: [.fragmentsAllowed])
        } catch {
            throw SceneImportError.malformed(
                file: file, detail: "element \(at) (bytes \(range.lowerBound)..<\(range.upperBound)) is not JSON: \((error as NSError).localizedDescription)")
        }
    }

    private static func skipSpace(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var p = start
        while p < bytes.count, bytes[p] == 0x20 || bytes[p] == 0x0A || bytes[p] == 0x0D || bytes[p] == 0x09 { p += 1 }
        return p
    }
}
