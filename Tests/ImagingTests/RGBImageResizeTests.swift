import Foundation
import Imaging
import Testing

@Suite struct RGBImageResizeTests {
    @Test(arguments: FixtureManifest.shared.resizes.map(\.expected))
    func resizeEqualsPILBicubic(expected: String) throws {
        let entry = FixtureManifest.shared.resizes.first { $0.expected == expected }!
        let image = try JPEG.decode(contentsOf: FixtureManifest.url(entry.image))
        let resized = image.resized(width: entry.width, height: entry.height)
        #expect(resized.width == entry.width && resized.height == entry.height)
        #expect(resized.pixels == FixtureManifest.bytes(entry.expected), "\(entry.image) → \(entry.width)x\(entry.height)")
    }

    @Test func cropKeepsTheBoxAndClamps() throws {
        let image = RGBImage(width: 4, height: 3, pixels: (0..<36).map { UInt8($0) })
        let crop = try image.cropped(to: PixelBox(x1: 1, y1: 1, x2: 9, y2: 2))
        #expect(crop.width == 3 && crop.height == 1)
        #expect(crop.pixels == Array(15..<24).map { UInt8($0) })
        #expect(throws: ImagingError.self) { try image.cropped(to: PixelBox(x1: 5, y1: 0, x2: 6, y2: 1)) }
    }
}
