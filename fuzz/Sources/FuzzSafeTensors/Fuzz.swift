import FuzzSupport
import Weights

/// safetensors files: header length, JSON header, dtypes, shapes and data ranges; every tensor is then read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let url = ScratchFile.write(data, size, as: "fuzz.safetensors")
    guard let file = try? SafeTensorsFile(path: url.path) else { return 0 }
    for name in file.tensorNames.prefix(16) { _ = try? file.tensor(name) }
    return 0
}
