import BundledAssets
import Foundation
import Synchronization
import Zlib

/// CLIP's byte-level BPE tokenizer, id-for-id equal to `open_clip.tokenize` (which pads with 0) and to
/// Hugging Face `CLIPTokenizer` (which pads with `<|endoftext|>`, as this one does).
///
/// Text is cleaned like the reference (`ftfy.fix_text`, HTML unescaping, whitespace clean-up,
/// lower-casing), split by CLIP's regex, mapped to byte symbols and merged by BPE rank.
/// Where the two references disagree it follows open_clip, which the reference training used: open_clip
/// runs `html.unescape` twice after ftfy (so `&amp`, `&copy 2020`, or entities on a line containing `<`
/// are unescaped; HF leaves them), and it treats literal `<start_of_text>` / `<end_of_text>` as the special
/// ids (HF does that for `<|startoftext|>` / `<|endoftext|>` instead). The fixture corpus lists each case.
public final class CLIPTokenizer: Sendable {
    /// `<|startoftext|>`.
    public static let startToken: Int32 = 49406
    /// `<|endoftext|>` (also the padding id).
    public static let endToken: Int32 = 49407
    /// Number of ids (49,408).
    public static let vocabularySize = 49408

    /// Rank-ordered merges: `(left id, right id)` packed in a UInt64 → merged id (= 512 + rank).
    private let merges: [UInt64: Int32]
    /// Symbol id of each byte (the `bytes_to_unicode` order).
    private let byteIDs: [Int32]
    /// Per-word BPE cache, keyed by the word's UTF-8 bytes.
    private let cache = Mutex<[[UInt8]: [Int32]]>([:])
    private static let cacheLimit = 200_000

    private static let shared = Mutex<CLIPTokenizer?>(nil)

    /// The tokenizer for the bundled `Assets/bpe_simple_vocab_16e6.txt.gz`, loaded once per process.
    /// - Throws: ``TokenizerError`` or `AssetLocator.Error` when the file is missing or malformed.
    public static func bundled() throws -> CLIPTokenizer {
        try shared.withLock { cached in
            if let cached { return cached }
            let tokenizer = try CLIPTokenizer(mergesFile: bundledMergesURL())
            cached = tokenizer
            return tokenizer
        }
    }

    /// Location of the bundled merges file.
    static func bundledMergesURL() throws -> URL {
        try AssetLocator.url(for: "bpe_simple_vocab_16e6.txt.gz")
    }

    /// Loads a merges file (`.txt.gz` as shipped by open_clip, or the plain text).
    /// - Throws: ``TokenizerError`` naming the file (and line) that is unreadable or malformed.
    public init(mergesFile: URL) throws {
        let path = mergesFile.path
        let raw: [UInt8]
        do {
            raw = [UInt8](try Data(contentsOf: mergesFile))
        } catch {
            throw TokenizerError.unreadable(path: path, reason: error.localizedDescription)
        }
        let bytes: [UInt8]
        if raw.count >= 2 && raw[0] == 0x1F && raw[1] == 0x8B {
            do {
                bytes = try Gzip.decompress(raw)
            } catch let failure as Gzip.Failure {
                throw TokenizerError.badGzip(path: path, reason: failure.reason)
            }
        } else {
            bytes = raw
        }
        (byteIDs, merges) = try Self.parseMerges(bytes, path: path)
    }

    /// `bytes_to_unicode()`: byte → the character standing for it, in vocabulary order.
    static func byteSymbols() -> [(byte: UInt8, scalar: UInt32)] {
        var bs: [Int] = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var cs = bs
        var n = 0
        for b in 0..<256 where !bs.contains(b) {
            bs.append(b)
            cs.append(256 + n)
            n += 1
        }
        return zip(bs, cs).map { (UInt8($0), UInt32($1)) }
    }

    private static func parseMerges(_ bytes: [UInt8], path: String) throws -> ([Int32], [UInt64: Int32]) {
        // Symbols are keyed by their text; "</w>" marks a word end.
        var vocab: [String: Int32] = [:]
        vocab.reserveCapacity(vocabularySize)
        var byteIDs = [Int32](repeating: 0, count: 256)
        let symbols = byteSymbols()
        for (i, sym) in symbols.enumerated() {
            let text = String(Unicode.Scalar(sym.scalar)!)
            byteIDs[Int(sym.byte)] = Int32(i)
            vocab[text] = Int32(i)
            vocab[text + "</w>"] = Int32(i + 256)
        }
        let mergeCount = 49152 - 256 - 2
        var merges: [UInt64: Int32] = [:]
        merges.reserveCapacity(mergeCount)
        var line = 0
        var start = 0
        var rank = 0
        while rank < mergeCount {
            guard start < bytes.count else {
                throw TokenizerError.badMerges(path: path, line: line + 1, reason: "file ends after \(rank) of \(mergeCount) merges")
            }
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            defer {
                start = end + 1
                line += 1
            }
            if line == 0 { continue }  // version header
            let fields = bytes[start..<end].split(separator: 0x20)
            guard fields.count == 2 else {
                throw TokenizerError.badMerges(path: path, line: line + 1, reason: "expected two symbols, found \(fields.count)")
            }
            let left = String(decoding: fields[0], as: UTF8.self), right = String(decoding: fields[1], as: UTF8.self)
            guard let a = vocab[left], let b = vocab[right] else {
                throw TokenizerError.badMerges(path: path, line: line + 1, reason: "merge uses a symbol not built by an earlier merge")
            }
            let id = Int32(512 + rank)
            merges[UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))] = id
            vocab[left + right] = id
            rank += 1
        }
        return (byteIDs, merges)
    }

    // MARK: encoding

    /// BPE ids of `text` without start/end tokens (after cleaning and pre-tokenisation).
    public func tokens(_ text: String) -> [Int32] {
        let cleaned = TextCleaner.clean(text)
        var ids: [Int32] = []
        for piece in PreTokenizer.split(cleaned) {
            switch piece {
            case .special(let id):
                ids.append(id)
            case .word(let range):
                var utf8: [UInt8] = []
                for c in cleaned[range] { utf8 += String(Unicode.Scalar(c)!).utf8 }
                ids += bpe(utf8)
            }
        }
        return ids
    }

    /// Token ids `[contextLength]`: 49406, the BPE ids, 49407, padded with 49407; text that does not fit is
    /// truncated so that 49407 stays last.
    public func encode(_ text: String, contextLength: Int = 77) -> [Int32] {
        precondition(contextLength >= 2, "contextLength must leave room for the start and end tokens")
        var ids = [Self.startToken] + tokens(text) + [Self.endToken]
        if ids.count > contextLength {
            ids.removeLast(ids.count - contextLength)
            ids[contextLength - 1] = Self.endToken
        }
        ids += [Int32](repeating: Self.endToken, count: contextLength - ids.count)
        return ids
    }

    /// ``encode(_:contextLength:)`` for each text: `[texts.count][contextLength]`.
    public func encode(batch: [String], contextLength: Int = 77) -> [[Int32]] {
        batch.map { encode($0, contextLength: contextLength) }
    }

    /// Byte-level BPE of one pre-token (cached).
    func bpe(_ utf8: [UInt8]) -> [Int32] {
        if let hit = cache.withLock({ $0[utf8] }) { return hit }
        var word = utf8.map { byteIDs[Int($0)] }
        word[word.count - 1] += 256  // "</w>" on the last symbol
        while word.count > 1 {
            var best: Int32 = .max
            var bestPair: UInt64 = 0
            for k in 0..<(word.count - 1) {
                let pair = UInt64(UInt32(word[k])) << 32 | UInt64(UInt32(word[k + 1]))
                if let m = merges[pair], m < best {
                    best = m
                    bestPair = pair
                }
            }
            if best == .max { break }
            let first = Int32(truncatingIfNeeded: bestPair >> 32), second = Int32(truncatingIfNeeded: bestPair & 0xFFFF_FFFF)
            var merged: [Int32] = []
            merged.reserveCapacity(word.count)
            var k = 0
            while k < word.count {
                if k + 1 < word.count && word[k] == first && word[k + 1] == second {
                    merged.append(best)
                    k += 2
                } else {
                    merged.append(word[k])
                    k += 1
                }
            }
            word = merged
        }
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[utf8] = word
        }
        return word
    }
}
