import FuzzSupport
import SceneImport

/// COCO instances_*.json (streamed), with a fixed small captions file.
let captions = ScratchFile.write(#"{"annotations": [{"image_id": 1, "caption": "a dog"}]}"#, as: "captions.json")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let instances = ScratchFile.write(data, size, as: "instances.json")
    _ = try? COCOImporter.scenes(instances: instances, captions: captions)
    return 0
}
