import Foundation
import Imaging

/// The focused-region picture of a relation as this project writes it (importers, `corrections apply`): the scene
/// picture cut to the union of the subject's and the object's boxes, limited to the picture.
///
/// The reference's own regions come from its grounding pipeline; a union crop shows both parties of the triple
/// and nothing else, which is what the relation tower is trained to read.
public enum FocusedRegion {
    /// JPEG quality of written regions.
    public static let quality = 95

    /// The region of `relation` in `record`, cut from `picture` (the record's decoded scene picture).
    /// - Returns: `nil` when neither the subject nor the object names one of the record's objects.
    /// - Throws: ``ImagingError`` when the union lies outside the picture.
    public static func image(of relation: SceneRelation, in record: SceneRecord, picture: RGBImage) throws -> RGBImage? {
        guard let box = record.unionBox(of: relation) else { return nil }
        return try picture.cropped(to: box)
    }

    /// Cuts the region and writes it as a JPEG file at `url` (folders created as needed, written atomically).
    /// - Returns: `false` when the relation names no object of the record (nothing is written).
    /// - Throws: ``ImagingError`` when the union lies outside the picture or the file cannot be written.
    @discardableResult
    public static func write(_ relation: SceneRelation, in record: SceneRecord, picture: RGBImage, to url: URL) throws -> Bool {
        guard let region = try image(of: relation, in: record, picture: picture) else { return false }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JPEG.write(region, to: url, quality: quality)
        return true
    }
}
