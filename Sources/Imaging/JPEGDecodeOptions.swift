/// Options for ``JPEG/decode(contentsOf:options:)``.
public struct JPEGDecodeOptions: Sendable, Equatable {
    /// PIL's `Image.MAX_IMAGE_PIXELS`: `1024 * 1024 * 1024 / 4 / 3` pixels.
    public static let defaultMaxPixels = 89_478_485

    /// Largest `width * height` accepted; larger declared sizes fail before any pixel memory is allocated.
    public var maxPixels: Int
    /// Rotate/flip by the EXIF orientation tag. Off by default: the reference (PIL `Image.open`) ignores it
    /// and dataset boxes are in raw pixel coordinates.
    public var applyEXIFOrientation: Bool

    public init(maxPixels: Int = JPEGDecodeOptions.defaultMaxPixels, applyEXIFOrientation: Bool = false) {
        self.maxPixels = maxPixels
        self.applyEXIFOrientation = applyEXIFOrientation
    }
}
