import Foundation
import Testing

@testable import Scenes

/// The intern table behind the fast metadata path: equal bytes give one shared text, different bytes their own.
@Suite struct InternedTextsTests {
    @Test func equalBytesShareOneTextAndDifferentBytesDoNot() throws {
        let words = (0..<2000).map { "word \($0) caf\u{e9}" } + ["", "a", "b", "ab", "ba"]
        let text = (words + words.reversed()).joined(separator: "|")
        var table = InternedTexts()
        var made = 0
        var seen: [String] = []
        try Data(text.utf8).withUnsafeBytes { raw in
            var start = 0
            for k in 0...raw.count where k == raw.count || raw[k] == UInt8(ascii: "|") {
                let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<k])
                seen.append(try table.text(for: bytes) { bytes throws(FastJSONReader.Decline) in
                    made += 1
                    return try FastJSONReader.text(bytes, ascii: !bytes.contains { $0 >= 0x80 })
                })
                start = k + 1
            }
        }
        #expect(seen == words + words.reversed())
        #expect(table.count == words.count - 1)  // the empty text is not stored
        #expect(made == words.count + 1)  // each distinct text once, the empty one each time
    }

    @Test func aFailedConversionIsNotKept() throws {
        var table = InternedTexts()
        let bytes: [UInt8] = [0x61, 0xFF, 0x62]  // invalid UTF-8
        bytes.withUnsafeBytes { raw in
            for _ in 0..<2 {
                #expect(throws: FastJSONReader.Decline.self) {
                    try table.text(for: raw) { bytes throws(FastJSONReader.Decline) in try FastJSONReader.text(bytes, ascii: false) }
                }
            }
        }
        #expect(table.count == 0)
    }
}
