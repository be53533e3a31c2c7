import Weights

/// Pickle streams (the restricted unpickler of PyTorch checkpoints).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? PickleValue.decode(Array(UnsafeBufferPointer(start: data, count: size)), source: "fuzz.pkl")
    return 0
}
