import Foundation
import Tokenizer

/// The bundled CLIP tokenizer, loaded on first use (models used only for images never need it).
final class LazyTokenizer: @unchecked Sendable {
    private let lock = NSLock()
    private var tokenizer: CLIPTokenizer?

    init(_ tokenizer: CLIPTokenizer? = nil) { self.tokenizer = tokenizer }

    /// Token ids for `texts`, padded/truncated to `contextLength`.
    func encode(_ texts: [String], contextLength: Int) throws -> [[Int32]] {
        lock.lock()
        defer { lock.unlock() }
        if tokenizer == nil { tokenizer = try CLIPTokenizer.bundled() }
        return tokenizer!.encode(batch: texts, contextLength: contextLength)
    }
}
