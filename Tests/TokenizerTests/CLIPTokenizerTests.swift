import Foundation
import Testing

@testable import Tokenizer

/// The corpus written by tools/make_tokenizer_fixtures.py.
struct TokenizerCorpus: Decodable {
    let texts: [String]
    let openClip: [[Int32]]
    let openClipShort: [[Int32]]
    let hf: [[Int32]]
    let disagreements: [Int]

    enum CodingKeys: String, CodingKey {
        case texts, hf, disagreements
        case openClip = "open_clip"
        case openClipShort = "open_clip_ctx16"
    }

    static let shared: TokenizerCorpus = {
        let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        let data = try! Data(contentsOf: dir.appendingPathComponent("tokenizer_corpus.json"))
        return try! JSONDecoder().decode(TokenizerCorpus.self, from: data)
    }()
}

/// Whether `row` is `expected` followed by end-token padding.
private func matches(_ row: [Int32], _ expected: [Int32], contextLength: Int) -> Bool {
    row.count == contextLength && row.starts(with: expected)
        && row.dropFirst(expected.count).allSatisfy { $0 == CLIPTokenizer.endToken }
}

@Suite struct CLIPTokenizerTests {
    let corpus = TokenizerCorpus.shared

    @Test func corpusIsLargeAndVaried() {
        #expect(corpus.texts.count >= 1000)
        #expect(corpus.texts.count == corpus.openClip.count && corpus.texts.count == corpus.hf.count)
        #expect(corpus.openClip.contains { $0.count == 77 })  // truncated long texts are present
        #expect(corpus.openClip.contains { $0.dropLast().contains(CLIPTokenizer.endToken) })  // literal <end_of_text>
    }

    @Test func matchesOpenCLIPOnWholeCorpus() throws {
        let tokenizer = try CLIPTokenizer.bundled()
        var mismatches: [String] = []
        for (i, text) in corpus.texts.enumerated() {
            let ids = tokenizer.encode(text)
            if !matches(ids, corpus.openClip[i], contextLength: 77) {
                mismatches.append("#\(i) \(text.debugDescription.prefix(60)): got \(ids.prefix(20)), want \(corpus.openClip[i].prefix(20))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(30).joined(separator: "\n"))")
    }

    @Test func matchesOpenCLIPWithShortContext() throws {
        let tokenizer = try CLIPTokenizer.bundled()
        let rows = tokenizer.encode(batch: corpus.texts, contextLength: 16)
        var bad: [Int] = []
        for (i, row) in rows.enumerated() {
            if !matches(row, corpus.openClipShort[i], contextLength: 16) { bad.append(i) }
        }
        #expect(bad.isEmpty, "mismatching corpus indices: \(bad.prefix(30))")
    }

    @Test func matchesHuggingFaceWhereTheReferencesAgree() throws {
        let tokenizer = try CLIPTokenizer.bundled()
        let disagreements = Set(corpus.disagreements)
        for (i, text) in corpus.texts.enumerated() where !disagreements.contains(i) {
            #expect(matches(tokenizer.encode(text), corpus.hf[i], contextLength: 77), "#\(i) \(text.debugDescription)")
        }
        // The references differ only on literal special-token text and HTML entities open_clip unescapes twice.
        #expect(corpus.disagreements.count < 30)
    }

    @Test func knownIDs() throws {
        let tokenizer = try CLIPTokenizer.bundled()
        let ids = tokenizer.encode("a photo of a dog", contextLength: 8)
        #expect(ids.first == 49406)
        #expect(ids.count == 8)
        #expect(tokenizer.tokens("") == [])
        #expect(tokenizer.encode("", contextLength: 3) == [49406, 49407, 49407])
        let long = tokenizer.encode(String(repeating: "dog ", count: 100), contextLength: 5)
        #expect(long[0] == 49406 && long[4] == 49407 && long[1] == long[2])
    }

    @Test func bundledIsCached() throws {
        #expect(try CLIPTokenizer.bundled() === CLIPTokenizer.bundled())
    }

    @Test func concurrentEncodingIsConsistent() async throws {
        let tokenizer = try CLIPTokenizer.bundled()
        let texts = Array(corpus.texts.prefix(200))
        let expected = texts.map { tokenizer.encode($0) }
        let results = await withTaskGroup(of: [[Int32]].self) { group in
            for _ in 0..<4 { group.addTask { texts.map { tokenizer.encode($0) } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for r in results { #expect(r == expected) }
    }
}

@Suite struct CLIPTokenizerErrorTests {
    func temp(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/merges.txt.gz")
        #expect {
            try CLIPTokenizer(mergesFile: url)
        } throws: { error in
            guard case TokenizerError.unreadable(let path, _) = error else { return false }
            return path == url.path
        }
    }

    @Test func truncatedGzip() throws {
        let full = try Data(contentsOf: CLIPTokenizer.bundledMergesURL())
        let url = try temp("cut.gz", Array(full.prefix(5000)))
        #expect {
            try CLIPTokenizer(mergesFile: url)
        } throws: { error in
            guard case TokenizerError.badGzip(let path, _) = error else { return false }
            return path == url.path && "\(error)".contains("not valid gzip")
        }
    }

    @Test func malformedMergeLine() throws {
        let url = try temp("bad.txt", Array("#version: 0.2\ni n\nt h e\n".utf8))
        #expect(throws: TokenizerError.badMerges(path: url.path, line: 3, reason: "expected two symbols, found 3")) {
            try CLIPTokenizer(mergesFile: url)
        }
    }

    @Test func unknownSymbolAndShortFile() throws {
        let unknown = try temp("unknown.txt", Array("#version: 0.2\nzz q\n".utf8))
        #expect(throws: TokenizerError.self) { try CLIPTokenizer(mergesFile: unknown) }
        let short = try temp("short.txt", Array("#version: 0.2\ni n\n".utf8))
        #expect {
            try CLIPTokenizer(mergesFile: short)
        } throws: { error in
            "\(error)".contains("file ends after 1 of 48894 merges")
        }
    }
}

