import Foundation

/// The one entry point for reading pictures: JPEG, PNG or WebP, told apart by content (a PNG named `.jpg`
/// opens, as in Pillow), decoded to 8-bit RGB equal to Pillow's `Image.open(f).convert("RGB")`.
///
/// JPEG keeps its fast paths (header-only size, region decode in ``CLIPPreprocessor/croppedImage(contentsOf:options:)``,
/// EXIF orientation on request); PNG and WebP decode whole.
public enum Picture {
    /// Decodes a picture file to RGB. The file is read through ``PictureFile`` (regular files of bounded size
    /// only).
    /// - Throws: ``ImagingError`` naming the file (not a regular file, too large, unreadable, empty, unknown
    ///   format, truncated, corrupt, or over `options.maxPixels`, checked from the header before any pixel memory
    ///   is allocated).
    public static func decode(contentsOf url: URL, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        try decode(data: PictureFile.read(url), source: url.path, options: options)
    }

    /// Decodes picture bytes to RGB; `source` names the data in error messages.
    public static func decode(data: Data, source: String, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        switch try format(of: data, source: source) {
        case .jpeg: return try JPEG.decode(data: data, source: source, options: options)
        case .png: return try PNG.decode(data: data, source: source, options: options)
        case .webp: return try WebP.decode(data: data, source: source, options: options)
        }
    }

    /// Reads the stored width and height from the header only (no pixel decoding, no EXIF rotation), reading
    /// a growing prefix of the file opened through ``PictureFile``.
    /// - Throws: ``ImagingError`` naming the file.
    public static func readSize(contentsOf url: URL) throws -> (width: Int, height: Int) {
        try withHeaderPrefix(of: url) { data in
            switch try format(of: data, source: url.path) {
            case .jpeg:
                let header = try JPEG.readHeader(data: data, source: url.path)
                return (header.width, header.height)
            case .png: return try PNG.readSize(data: data, source: url.path)
            case .webp: return try WebP.readSize(data: data, source: url.path)
            }
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

    /// `parse` applied to a prefix of the file (64 KiB, then 4× larger each time `parse` finds it truncated),
    /// so a header is read without reading a large file whole.
    static func withHeaderPrefix<T>(of url: URL, _ parse: (Data) throws -> T) throws -> T {
        let (handle, _) = try PictureFile.open(url)
        defer { try? handle.close() }
        var data = Data()
        var chunk = 64 * 1024
        while true {
            let more: Data
            do {
                more = try handle.read(upToCount: chunk) ?? Data()
            } catch {
                throw ImagingError.unreadable(file: url.path, reason: JPEG.reasonText(error))
            }
            data.append(more)
            do {
                return try parse(data)
            } catch ImagingError.truncated where more.count == chunk {
                chunk *= 4
            }
        }
    }

    static func checkPixelLimit(width: Int, height: Int, source: String, limit: Int) throws {
        if width.multipliedReportingOverflow(by: height).partialValue > limit || width > limit || height > limit {
            throw ImagingError.tooManyPixels(file: source, width: width, height: height, limit: limit)
        }
    }

    static func text(_ message: [CChar]) -> String { JPEG.text(message) }
}
