import Retrieval

/// Query expressions as typed by users: parsing must end in an expression or an error, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? QueryExpression(parsing: text)
    return 0
}
