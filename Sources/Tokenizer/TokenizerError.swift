import Foundation

/// Errors raised while loading the CLIP tokenizer's vocabulary.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The merges file could not be read.
    case unreadable(path: String, reason: String)
    /// The gzip stream is malformed.
    case badGzip(path: String, reason: String)
    /// The merges text has the wrong shape.
    case badMerges(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read tokenizer merges file \(path): \(reason)"
        case .badGzip(let path, let reason):
            return "tokenizer merges file \(path) is not valid gzip: \(reason)"
        case .badMerges(let path, let line, let reason):
            return "tokenizer merges file \(path), line \(line): \(reason)"
        }
    }
}
