import FuzzSupport
import Weights

/// PyTorch zip checkpoints: the zip central directory, data.pkl through the restricted unpickler, storages;
/// every tensor is then read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let url = ScratchFile.write(data, size, as: "fuzz.pt")
    guard let checkpoint = try? TorchCheckpoint(contentsOf: url) else { return 0 }
    for name in checkpoint.tensorNames.prefix(16) { _ = try? checkpoint.tensor(name) }
    return 0
}
