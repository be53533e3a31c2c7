import FuzzSupport
import Scenes

/// A dataset's metadata.json (the fast reader and its JSONSerialization fallback, then validation), beside a
/// fixed classes.json.
let classes = ScratchFile.write(#"{"global": ["a"], "object": ["dog", "person"], "relation": ["holding"]}"#, as: "classes.json")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = classes
    _ = ScratchFile.write(data, size, as: "metadata.json")
    _ = try? SceneDataset.load(from: ScratchFile.folder)
    return 0
}
