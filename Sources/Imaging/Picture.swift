import Foundation

/// The one entry point for reading pictures: JPEG, PNG or WebP, told apart by content (a PNG named `.jpg`
/// opens, as in Pillow), decoded to 8-bit RGB equal to Pillow's `Image.open(f).convert("RGB")`.
///
/// JPEG keeps its fast paths (header-only size, region decode in ``CLIPPreprocessor/croppedImage(contentsOf:options:)``,
/// EXIF orientation on request); PNG and WebP decode whole.
public enum Picture {
    /// Decodes a picture file to RGB.
    /// - Throws: ``ImagingError`` naming the file (unreadable, empty, unknown format, truncated, corrupt, or
    ///   over `options.maxPixels`, checked from the header before any pixel memory is allocated).
    public static func decode(contentsOf url: URL, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        try decode(data: readFile(url), source: url.path, options: options)
    }

    /// Decodes picture bytes to RGB; `source` names the data in error messages.
    public static func decode(data: Data, source: String, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        switch try format(of: data, source: source) {
        case .jpeg: return try JPEG.decode(data: data, source: source, options: options)
        case .png: return try PNG.decode(data: data, source: source, options: options)
        case .webp: return try WebP.decode(data: data, source: source, options: options)
        }
    }

    /// Reads the stored width and height from the header only (no pixel decoding, no EXIF rotation).
    /// - Throws: ``ImagingError`` naming the file.
    public static func readSize(contentsOf url: URL) throws -> (width: Int, height: Int) {
        let prefix = try readPrefix(url, count: 64 * 1024)
        switch try format(of: prefix, source: url.path) {
        case .jpeg: return try JPEG.readSize(contentsOf: url)
        case .png: return try PNG.readSize(data: prefix, source: url.path)
        case .webp: return try WebP.readSize(data: prefix, source: url.path)
        }
    }

    /// The format of `data`.
    /// - Throws: ``ImagingError/emptyFile(file:)`` or ``ImagingError/unsupportedFormat(file:detail:)``.
    public static func format(of data: Data, source: String) throws -> PictureFormat {
        if data.isEmpty { throw ImagingError.emptyFile(file: source) }
        guard let format = PictureFormat(sniffing: data) else {
            throw ImagingError.unsupportedFormat(file: source, detail: JPEG.describeSignature(data))
        }
        return format
    }

    // MARK: - Helpers

    static func readFile(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ImagingError.unreadable(file: url.path, reason: JPEG.reasonText(error))
        }
    }

    static func readPrefix(_ url: URL, count: Int) throws -> Data {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            return try handle.read(upToCount: count) ?? Data()
        } catch {
            throw ImagingError.unreadable(file: url.path, reason: JPEG.reasonText(error))
        }
    }

    static func checkPixelLimit(width: Int, height: Int, source: String, limit: Int) throws {
        if width.multipliedReportingOverflow(by: height).partialValue > limit || width > limit || height > limit {
            throw ImagingError.tooManyPixels(file: source, width: width, height: height, limit: limit)
        }
    }

    static func text(_ message: [CChar]) -> String { JPEG.text(message) }
}
