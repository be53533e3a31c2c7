import CPNG
import Foundation

/// PNG decoding through libspng (the C target `CPNG`), converted to RGB as Pillow's
/// `Image.open(f).convert("RGB")`: 16-bit RGB/RGBA/grey+alpha keep the high byte, 16-bit grey clips to 255
/// (Pillow's "I;16" → RGB), 1/2/4-bit grey scale to 0...255, palettes look up PLTE (indexes past it read as
/// black), tRNS and alpha are dropped without compositing. APNG files give their default image (IDAT),
/// as Pillow's first frame. CRCs are checked as Pillow checks them — every chunk before the image data, none
/// of the ancillary chunks after it — and also IDAT's, which Pillow skips (a wrong one is refused).
public enum PNG {
    /// Decodes PNG bytes to RGB; `source` names the data in error messages.
    /// - Throws: ``ImagingError`` naming `source`; the pixel limit is checked from IHDR before any pixel memory
    ///   is allocated, so a zlib bomb can inflate to no more than the declared (limited) image.
    public static func decode(data: Data, source: String, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        try data.withUnsafeBytes { raw in
            let decoder = try PNGDecoder(bytes: raw, source: source)
            try Picture.checkPixelLimit(width: decoder.width, height: decoder.height, source: source,
                                        limit: options.maxPixels)
            return try decoder.readRGB()
        }
    }

    /// Reads the width and height from IHDR (a prefix of the file holding the first 33 bytes suffices).
    public static func readSize(data: Data, source: String) throws -> (width: Int, height: Int) {
        try data.withUnsafeBytes { raw in
            let decoder = try PNGDecoder(bytes: raw, source: source)
            return (decoder.width, decoder.height)
        }
    }
}

extension PNG {
    /// Encodes RGB as an 8-bit, non-interlaced PNG.
    /// - Throws: ``ImagingError/encodeFailed(detail:)`` for an empty image or a libspng error.
    public static func encode(_ image: RGBImage) throws -> Data {
        guard image.width > 0, image.height > 0 else {
            throw ImagingError.encodeFailed(detail: "an empty \(image.width)x\(image.height) image cannot be stored as PNG")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_LENGTH))
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            Int(cpng_encode_rgb(pixels.baseAddress, UInt32(image.width), UInt32(image.height), &output, &size, &message))
        }
        defer { cpng_free(output) }
        guard status == CPNG_OK, let output else {
            throw ImagingError.encodeFailed(detail: "PNG: \(Picture.text(message))")
        }
        return Data(bytes: output, count: size)
    }
}

/// One libspng context over borrowed bytes (freed in `deinit`); errors become ``ImagingError``.
final class PNGDecoder {
    private var handle: OpaquePointer?
    let width: Int
    let height: Int
    let source: String

    /// Reads the signature and IHDR. `bytes` must stay valid for the decoder's lifetime.
    init(bytes: UnsafeRawBufferPointer, source: String) throws {
        self.source = source
        var header = cpng_header()
        var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_LENGTH))
        var decoder: OpaquePointer?
        let status = Int(cpng_decoder_open(
            bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &decoder, &header, &message))
        if status != CPNG_OK { throw PNGDecoder.error(status: status, message: Picture.text(message), source: source) }
        handle = decoder
        width = Int(header.width)
        height = Int(header.height)
    }

    deinit { cpng_decoder_close(handle) }

    /// Decodes the default image as RGB (call once).
    func readRGB() throws -> RGBImage {
        let count = width * height * 3
        var status = CPNG_OK
        var message = [CChar](repeating: 0, count: Int(CPNG_MESSAGE_LENGTH))
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = Int(cpng_decoder_read_rgb(handle, buffer.baseAddress, &message))
            if status != CPNG_OK { buffer.initialize(repeating: 0) }
            initialized = count
        }
        if status != CPNG_OK { throw PNGDecoder.error(status: status, message: Picture.text(message), source: source) }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func error(status: Int, message: String, source: String) -> ImagingError {
        switch status {
        case CPNG_ERR_TRUNCATED: return .truncated(file: source, detail: "PNG: \(message)")
        default: return .corrupt(file: source, detail: "PNG: \(message)")
        }
    }
}
