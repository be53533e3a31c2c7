import Foundation
import Imaging

/// WebP decoding through libwebp (RIFF chunks, VP8X canvas, lossy VP8 with ALPH, lossless VP8L, animations'
/// first frame), with a 4-megapixel limit so that each input stays fast; the limit itself is checked from the
/// declared canvas before allocation.
let options = PictureDecodeOptions(maxPixels: 1 << 22)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? WebP.readSize(data: bytes, source: "fuzz.webp")
    if let image = try? WebP.decode(data: bytes, source: "fuzz.webp", options: options) {
        precondition(image.pixels.count == image.width * image.height * 3, "WebP gave \(image.pixels.count) bytes for \(image.width)x\(image.height)")
    }
    return 0
}
