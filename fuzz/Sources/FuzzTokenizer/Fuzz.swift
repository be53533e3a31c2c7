import Foundation
import Tokenizer

/// The CLIP tokenizer with ftfy's text fixing, on arbitrary (also invalid) UTF-8.
let tokenizer: CLIPTokenizer = {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    return try! CLIPTokenizer(mergesFile: repository.appendingPathComponent("Assets/bpe_simple_vocab_16e6.txt.gz"))
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let tokens = tokenizer.encode(text)
    precondition(tokens.count == 77, "encode returned \(tokens.count) tokens")
    return 0
}
