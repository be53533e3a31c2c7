import FuzzSupport
import SceneImport

/// OpenPSG psg.json.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? OpenPSGImporter.scenes(psg: ScratchFile.write(data, size, as: "psg.json"))
    return 0
}
