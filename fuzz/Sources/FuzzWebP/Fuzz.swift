import Foundation
import Imaging

/// WebP decoding through libwebp (RIFF chunks, VP8X canvas, lossy VP8 with ALPH, lossless VP8L, animations'
/// first frame), with a 4-megapixel limit so that each input stays fast. `decode` reads the declared canvas with
/// `readSize` and checks the limit before allocating.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let image = try? WebP.decode(data: Data(bytes: data, count: size), source: "fuzz.webp",
                                       options: PictureDecodeOptions(maxPixels: 1 << 22))
    else { return 0 }
    precondition(image.pixels.count == image.width * image.height * 3, "WebP gave \(image.pixels.count) bytes for \(image.width)x\(image.height)")
    return 0
}
