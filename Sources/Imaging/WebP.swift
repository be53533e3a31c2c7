import CWebP
import Foundation

/// WebP decoding through libwebp (the C target `CWebP`) as Pillow's `Image.open(f).convert("RGB")`: lossy
/// data with libwebp's default fancy upsampling, alpha dropped without compositing; an animation gives its first
/// frame on its canvas (libwebp's animation decoder, as Pillow).
public enum WebP {
    /// Decodes WebP bytes to RGB; `source` names the data in error messages.
    /// - Throws: ``ImagingError`` naming `source`; the pixel limit is checked against the declared canvas
    ///   (VP8X, or the VP8/VP8L frame header) before any pixel memory is allocated.
    public static func decode(data: Data, source: String, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        let (width, height) = try readSize(data: data, source: source)
        try Picture.checkPixelLimit(width: width, height: height, source: source, limit: options.maxPixels)
        let count = width * height * 3
        var status = CWEBP_OK
        var message = [CChar](repeating: 0, count: Int(CWEBP_MESSAGE_LENGTH))
        let pixels = data.withUnsafeBytes { raw in
            [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                status = Int(cwebp_read_rgb(
                    raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count, Int32(width), Int32(height),
                    buffer.baseAddress, &message))
                if status != CWEBP_OK { buffer.initialize(repeating: 0) }
                initialized = count
            }
        }
        if status != CWEBP_OK { throw error(status: status, message: Picture.text(message), source: source) }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Reads the canvas width and height from the headers (a prefix of the file suffices).
    public static func readSize(data: Data, source: String) throws -> (width: Int, height: Int) {
        var header = cwebp_header()
        var message = [CChar](repeating: 0, count: Int(CWEBP_MESSAGE_LENGTH))
        let status = data.withUnsafeBytes { raw in
            Int(cwebp_read_header(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count, &header, &message))
        }
        if status != CWEBP_OK { throw error(status: status, message: Picture.text(message), source: source) }
        return (Int(header.width), Int(header.height))
    }

    /// Encodes RGB as WebP: lossless, or lossy at `quality` 0...100.
    /// - Throws: ``ImagingError/encodeFailed(detail:)`` for a size WebP cannot store or a libwebp error.
    public static func encode(_ image: RGBImage, quality: Double = 80, lossless: Bool = false) throws -> Data {
        guard image.width > 0, image.height > 0, image.width <= 16383, image.height <= 16383,
              (0...100).contains(quality) else {
            throw ImagingError.encodeFailed(
                detail: "a \(image.width)x\(image.height) image at quality \(quality) cannot be stored as WebP")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CWEBP_MESSAGE_LENGTH))
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            Int(cwebp_encode_rgb(pixels.baseAddress, Int32(image.width), Int32(image.height), Float(quality),
                                 lossless ? 1 : 0, &output, &size, &message))
        }
        defer { cwebp_free(output) }
        guard status == CWEBP_OK, let output else {
            throw ImagingError.encodeFailed(detail: "WebP: \(Picture.text(message))")
        }
        return Data(bytes: output, count: size)
    }

    static func error(status: Int, message: String, source: String) -> ImagingError {
        switch status {
        case CWEBP_ERR_TRUNCATED: return .truncated(file: source, detail: "WebP: \(message)")
        case CWEBP_ERR_UNSUPPORTED: return .unsupportedFormat(file: source, detail: "WebP: \(message)")
        default: return .corrupt(file: source, detail: "WebP: \(message)")
        }
    }
}
