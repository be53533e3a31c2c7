import Foundation
import Imaging

/// PNG decoding through libspng (chunks, CRCs, zlib, filters, Adam7, palettes, 1- to 16-bit samples), with a
/// 4-megapixel limit so that each input stays fast; the limit itself is checked from IHDR before allocation.
let options = PictureDecodeOptions(maxPixels: 1 << 22)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? PNG.readSize(data: bytes, source: "fuzz.png")
    if let image = try? PNG.decode(data: bytes, source: "fuzz.png", options: options) {
        precondition(image.pixels.count == image.width * image.height * 3, "PNG gave \(image.pixels.count) bytes for \(image.width)x\(image.height)")
    }
    return 0
}
