import CJPEG
import Foundation

/// JPEG decoding and encoding through libjpeg (the C target `CJPEG` catches libjpeg's longjmp errors). Code that
/// reads a picture of any format goes through ``Picture``, which sends JPEG data here.
///
/// Decoding uses libjpeg's defaults (ISLOW DCT, fancy upsampling) exactly as PIL does, so pixels equal
/// `PIL.Image.open(path).convert("RGB")`; greyscale is replicated and CMYK/YCCK converted with PIL's formula.
public enum JPEG {
    /// Decodes a JPEG file to RGB.
    /// - Throws: ``ImagingError`` naming the file (unreadable, empty, not a JPEG, truncated, corrupt,
    ///   unsupported colour space, or over `options.maxPixels`).
    public static func decode(contentsOf url: URL, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        let data = try readFile(url)
        return try decode(data: data, source: url.path, options: options)
    }

    /// Decodes JPEG bytes to RGB with default options; `source` names the data in error messages.
    public static func decode(data: Data, source: String) throws -> RGBImage {
        try decode(data: data, source: source, options: PictureDecodeOptions())
    }

    /// Decodes JPEG bytes to RGB; `source` names the data in error messages.
    public static func decode(data: Data, source: String, options: PictureDecodeOptions) throws -> RGBImage {
        try check(data: data, source: source)
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> RGBImage in
            let decoder = try JPEGDecoder(bytes: raw, source: source)
            let header = decoder.header
            try checkPixelLimit(header, source: source, limit: options.maxPixels)
            let image = try decoder.readRGB()
            if options.applyEXIFOrientation, header.exifOrientation > 1 {
                return image.applyingEXIFOrientation(header.exifOrientation)
            }
            return image
        }
    }

    /// Decodes only the pixels inside `region` (stored coordinates, no EXIF rotation), equal to the same
    /// pixels of ``decode(contentsOf:options:)``: libjpeg skips the IDCT, upsampling and colour conversion of
    /// the columns and rows outside it (the entropy-coded data is still read to the end).
    /// - Throws: ``ImagingError`` naming the file, or ``ImagingError/invalidBox(box:width:height:detail:)`` when
    ///   `region` is empty or not inside the image.
    public static func decode(contentsOf url: URL, region: PixelBox, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        try withDecoder(contentsOf: url, options: options) { try $0.readRGB(region: region) }
    }

    /// Opens a decoder over the file's bytes (header read, pixel limit checked) for `body`.
    static func withDecoder<T>(
        contentsOf url: URL, options: PictureDecodeOptions, _ body: (JPEGDecoder) throws -> T
    ) throws -> T {
        try withDecoder(data: readFile(url), source: url.path, options: options, body)
    }

    /// Opens a decoder over `data` (header read, pixel limit checked) for `body`.
    static func withDecoder<T>(
        data: Data, source: String, options: PictureDecodeOptions, _ body: (JPEGDecoder) throws -> T
    ) throws -> T {
        try check(data: data, source: source)
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> T in
            let decoder = try JPEGDecoder(bytes: raw, source: source)
            try checkPixelLimit(decoder.header, source: source, limit: options.maxPixels)
            return try body(decoder)
        }
    }

    /// Reads the stored width and height from the header only (no pixel decoding, no EXIF rotation).
    /// - Throws: ``ImagingError`` naming the file.
    public static func readSize(contentsOf url: URL) throws -> (width: Int, height: Int) {
        let header = try readHeader(contentsOf: url)
        return (header.width, header.height)
    }

    /// Reads the header (size, colour model, EXIF orientation) without decoding pixels.
    /// Reads a growing prefix of the file, so large files are not read whole.
    public static func readHeader(contentsOf url: URL) throws -> JPEGHeader {
        try Picture.withHeaderPrefix(of: url) { try readHeader(data: $0, source: url.path) }
    }

    /// Reads the header from JPEG bytes (a prefix holding the markers up to the frame header suffices).
    /// - Throws: ``ImagingError/truncated(file:detail:)`` when `data` ends before the frame header.
    static func readHeader(data: Data, source: String) throws -> JPEGHeader {
        try check(data: data, source: source)
        return try data.withUnsafeBytes { raw in try JPEGDecoder(bytes: raw, source: source).header }
    }

    /// Encodes RGB as a baseline JPEG (4:2:0 chroma) at `quality` 1...100.
    /// - Throws: ``ImagingError/encodeFailed(detail:)`` for an empty image, a bad quality or a libjpeg error.
    public static func encode(_ image: RGBImage, quality: Int) throws -> Data {
        guard (1...100).contains(quality) else {
            throw ImagingError.encodeFailed(detail: "quality \(quality) is outside 1...100")
        }
        guard image.width > 0, image.height > 0, image.width <= 65_500, image.height <= 65_500 else {
            throw ImagingError.encodeFailed(detail: "image size \(image.width)x\(image.height) cannot be stored as JPEG")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CJPEG_MESSAGE_LENGTH))
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            Int(cjpeg_encode_rgb(
                pixels.baseAddress, Int32(image.width), Int32(image.height), Int32(quality), &output, &size, &message))
        }
        defer { cjpeg_free(output) }
        guard status == CJPEG_OK, let output else {
            throw ImagingError.encodeFailed(detail: "libjpeg: \(text(message))")
        }
        return Data(bytes: output, count: size)
    }

    /// Encodes RGB as JPEG and writes it to `url` whole or not at all (``AtomicFile``).
    /// - Throws: ``ImagingError/encodeFailed(detail:)`` or ``ImagingError/writeFailed(file:reason:)``.
    public static func write(_ image: RGBImage, to url: URL, quality: Int) throws {
        let data = try encode(image, quality: quality)
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw ImagingError.writeFailed(file: url.path, reason: reasonText(error))
        }
    }

    // MARK: - Helpers

    static func readFile(_ url: URL) throws -> Data { try PictureFile.read(url) }

    static func check(data: Data, source: String) throws {
        if data.isEmpty { throw ImagingError.emptyFile(file: source) }
        if data.count >= 2, data[data.startIndex] == 0xFF, data[data.startIndex + 1] == 0xD8 { return }
        throw ImagingError.notJPEG(file: source, detail: describeSignature(data))
    }

    static func checkPixelLimit(_ header: JPEGHeader, source: String, limit: Int) throws {
        if header.width * header.height > limit {
            throw ImagingError.tooManyPixels(file: source, width: header.width, height: header.height, limit: limit)
        }
    }

    /// Names common non-JPEG formats by their magic bytes.
    static func describeSignature(_ data: Data) -> String {
        let bytes = [UInt8](data.prefix(12))
        func starts(_ magic: [UInt8]) -> Bool { bytes.starts(with: magic) }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "it is a PNG image" }
        if starts(Array("GIF8".utf8)) { return "it is a GIF image" }
        if starts(Array("BM".utf8)) { return "it looks like a BMP image" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "it is a TIFF image" }
        if bytes.count >= 12, starts(Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "it is a WebP image"
        }
        let hex = bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
        return "no start-of-image marker (first bytes: \(hex))"
    }

    static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func reasonText(_ error: Error) -> String {
        (error as NSError).localizedDescription
    }
}

/// What a JPEG header declares.
public struct JPEGHeader: Sendable, Equatable {
    /// Stored width in pixels (before any EXIF rotation).
    public var width: Int
    /// Stored height in pixels.
    public var height: Int
    /// Components in the file: 1 greyscale, 3 YCbCr/RGB, 4 CMYK/YCCK.
    public var components: Int
    /// EXIF orientation tag 1...8, or 0 when the file has none.
    public var exifOrientation: Int
}

/// One libjpeg decompressor over borrowed bytes (freed in `deinit`); errors become ``ImagingError``.
final class JPEGDecoder {
    private var handle: OpaquePointer?
    let header: JPEGHeader
    let source: String

    /// Parses the header. `bytes` must stay valid for the decoder's lifetime.
    init(bytes: UnsafeRawBufferPointer, source: String) throws {
        self.source = source
        var raw = cjpeg_header()
        var message = [CChar](repeating: 0, count: Int(CJPEG_MESSAGE_LENGTH))
        var decoder: OpaquePointer?
        let status = Int(cjpeg_decoder_open(
            bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &decoder, &raw, &message))
        if status != CJPEG_OK {
            throw JPEGDecoder.error(status: status, message: JPEG.text(message), components: Int(raw.components),
                                    source: source)
        }
        handle = decoder
        header = JPEGHeader(width: Int(raw.width), height: Int(raw.height), components: Int(raw.components),
                            exifOrientation: Int(raw.exif_orientation))
    }

    deinit { cjpeg_decoder_close(handle) }

    /// Decodes all pixels as RGB (call once).
    func readRGB() throws -> RGBImage {
        try decodePixels(width: header.width, height: header.height) { buffer, warnings, message in
            cjpeg_decoder_read_rgb(handle, buffer, &warnings, &message)
        }
    }

    /// Decodes only the pixels inside `region` (call once, instead of ``readRGB()``).
    func readRGB(region: PixelBox) throws -> RGBImage {
        guard !region.isEmpty, region.x1 >= 0, region.y1 >= 0, region.x2 <= header.width, region.y2 <= header.height else {
            throw ImagingError.invalidBox(box: region, width: header.width, height: header.height,
                                          detail: "the region to decode is empty or not inside the image")
        }
        return try decodePixels(width: region.width, height: region.height) { buffer, warnings, message in
            cjpeg_decoder_read_rgb_region(handle, Int32(region.x1), Int32(region.y1), Int32(region.width),
                                          Int32(region.height), buffer, &warnings, &message)
        }
    }

    /// Runs one C decode call into a fresh `width`×`height` RGB buffer; a failed call becomes the error for
    /// this file.
    private func decodePixels(
        width: Int, height: Int,
        _ decode: (UnsafeMutablePointer<UInt8>?, inout Int32, inout [CChar]) -> Int32
    ) throws -> RGBImage {
        let count = width * height * 3
        var status = CJPEG_OK
        var warnings: Int32 = 0
        var message = [CChar](repeating: 0, count: Int(CJPEG_MESSAGE_LENGTH))
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = Int(decode(buffer.baseAddress, &warnings, &message))
            if status != CJPEG_OK { buffer.initialize(repeating: 0) }
            initialized = count
        }
        if status != CJPEG_OK {
            throw JPEGDecoder.error(status: status, message: JPEG.text(message), components: header.components,
                                    source: source)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func error(status: Int, message: String, components: Int, source: String) -> ImagingError {
        switch status {
        case CJPEG_ERR_TRUNCATED: return .truncated(file: source, detail: message)
        case CJPEG_ERR_NOT_JPEG: return .notJPEG(file: source, detail: message)
        case CJPEG_ERR_COLOR_SPACE: return .unsupportedColorSpace(file: source, components: components)
        default: return .corrupt(file: source, detail: message)
        }
    }
}
