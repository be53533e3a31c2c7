import FuzzSupport
import SceneImport

/// Visual Genome's image_data.json, objects.json and relationships.json (the streamed JSON arrays, the
/// relationship index built when the files are out of step, the per-field checks), as one input holding the three
/// files in that order (see ``FuzzParts``).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = FuzzParts.split(data, size, count: 3)
    let imageData = ScratchFile.write(parts[0], as: "image_data.json")
    let objects = ScratchFile.write(parts[1], as: "objects.json")
    let relationships = ScratchFile.write(parts[2], as: "relationships.json")
    _ = try? VisualGenomeImporter.stream(imageData: imageData, objects: objects, relationships: relationships) { _ in }
    return 0
}
