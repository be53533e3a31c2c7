/// Options for ``Picture/decode(contentsOf:options:)`` (every format) and the JPEG decoder.
public struct PictureDecodeOptions: Sendable, Equatable {
    /// PIL's `Image.MAX_IMAGE_PIXELS`: `1024 * 1024 * 1024 / 4 / 3` pixels.
    public static let defaultMaxPixels = 89_478_485

    /// Largest `width * height` accepted, in every format; larger declared sizes (JPEG SOF, PNG IHDR, WebP
    /// VP8X canvas or frame header) fail before any pixel memory is allocated.
    public var maxPixels: Int
    /// Rotate/flip JPEGs by the EXIF orientation tag. Off by default: the reference (PIL `Image.open`) ignores
    /// it and dataset boxes are in raw pixel coordinates. PNG and WebP are always returned as stored.
    public var applyEXIFOrientation: Bool

    public init(maxPixels: Int = PictureDecodeOptions.defaultMaxPixels, applyEXIFOrientation: Bool = false) {
        self.maxPixels = maxPixels
        self.applyEXIFOrientation = applyEXIFOrientation
    }
}
