import Foundation
import FuzzSupport
import SceneImport

/// Action Genome's person_bbox.pkl and object_bbox_and_relationship.pkl (pickles of dictionaries, lists and numpy
/// arrays through the restricted unpickler, then the per-frame fields), as one input holding the two files in
/// that order (see ``FuzzParts``).
let annotations = ScratchFile.folder.appendingPathComponent("annotations", isDirectory: true)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    try? FileManager.default.createDirectory(at: annotations, withIntermediateDirectories: true)
    let parts = FuzzParts.split(data, size, count: 2)
    _ = ScratchFile.write(parts[0], as: "annotations/person_bbox.pkl")
    _ = ScratchFile.write(parts[1], as: "annotations/object_bbox_and_relationship.pkl")
    _ = try? ActionGenomeImporter.scenes(annotations: annotations)
    return 0
}
