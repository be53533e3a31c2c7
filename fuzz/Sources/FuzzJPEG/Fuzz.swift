import Foundation
import Imaging

/// JPEG decoding through libjpeg (longjmp contained in C), with the picture pixel limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? JPEG.decode(data: Data(bytes: data, count: size), source: "fuzz.jpg")
    return 0
}
