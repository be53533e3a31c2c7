import Foundation
import Imaging
import Testing

/// Decoding only a region of a JPEG (libjpeg-turbo crop + skip with a margin) against decoding everything.
@Suite struct JPEGRegionTests {
    static func regions(width w: Int, height h: Int) -> [PixelBox] {
        [
            PixelBox(x1: 0, y1: 0, x2: w, y2: h),                                  // everything
            PixelBox(x1: w / 3, y1: 0, x2: w - w / 4, y2: h),                       // centre columns (landscape crop)
            PixelBox(x1: 0, y1: h / 3, x2: w, y2: h - h / 5),                       // centre rows (portrait crop)
            PixelBox(x1: w / 5 + 1, y1: h / 7 + 3, x2: w / 2 + 3, y2: h / 2 + 5),   // odd interior box
            PixelBox(x1: w - 1, y1: h - 1, x2: w, y2: h),                           // last pixel
            PixelBox(x1: 0, y1: 0, x2: 1, y2: 1),                                   // first pixel
            PixelBox(x1: max(0, w - 17), y1: 0, x2: w, y2: min(h, 9)),              // top-right corner
        ]
    }

    @Test(arguments: FixtureManifest.shared.images.map(\.file))
    func regionPixelsEqualTheFullDecode(file: String) throws {
        let url = FixtureManifest.url(file)
        let full = try JPEG.decode(contentsOf: url)
        for region in Self.regions(width: full.width, height: full.height).map({ $0.clamped(width: full.width, height: full.height) })
        where !region.isEmpty {
            let part = try JPEG.decode(contentsOf: url, region: region)
            #expect(part.width == region.width && part.height == region.height)
            var expected = [UInt8]()
            expected.reserveCapacity(region.width * region.height * 3)
            for y in region.y1..<region.y2 {
                let start = (y * full.width + region.x1) * 3
                expected += full.pixels[start..<(start + region.width * 3)]
            }
            #expect(part.pixels == expected, "\(file) region \(region)")
        }
    }

    @Test(arguments: FixtureManifest.shared.preprocess.map { "\($0.image)@\($0.size)" })
    func fileWindowEqualsDecodedWindowAndPIL(key: String) throws {
        let entry = FixtureManifest.shared.preprocess.first { "\($0.image)@\($0.size)" == key }!
        let url = FixtureManifest.url(entry.image)
        let pre = try CLIPPreprocessorTests.preprocessor(size: entry.size)
        let fromFile = try pre.croppedImage(contentsOf: url)
        #expect(fromFile == (try pre.croppedImage(JPEG.decode(contentsOf: url))), "\(key)")
        let expected = FixtureManifest.bytes(entry.expected)
        let plane = entry.size * entry.size
        let planar = (0..<3).flatMap { c in (0..<plane).map { fromFile.pixels[$0 * 3 + c] } }
        #expect(planar == expected, "\(key): differs from PIL's resize + crop")
        #expect(try pre.tensor(contentsOf: url).scalars == pre.tensor(for: JPEG.decode(contentsOf: url)).scalars)
    }

    @Test func exifOptionRotatesBeforePreprocessing() throws {
        let url = FixtureManifest.url("images/exif.jpg")
        let options = PictureDecodeOptions(applyEXIFOrientation: true)
        let pre = try CLIPPreprocessorTests.preprocessor(size: 64)
        #expect(try pre.croppedImage(contentsOf: url, options: options)
            == pre.croppedImage(JPEG.decode(contentsOf: url, options: options)))
    }

    @Test func regionOutsideTheImageIsAnError() throws {
        let url = FixtureManifest.url("images/landscape.jpg")
        for region in [PixelBox(x1: 300, y1: 0, x2: 321, y2: 10), PixelBox(x1: 5, y1: 5, x2: 5, y2: 9),
                       PixelBox(x1: -1, y1: 0, x2: 4, y2: 4)] {
            #expect(throws: ImagingError.self) { try JPEG.decode(contentsOf: url, region: region) }
        }
    }

    @Test func truncatedFileFailsThroughTheRegionPathToo() throws {
        let url = FixtureManifest.url("bad/truncated.jpg")
        let pre = try CLIPPreprocessorTests.preprocessor(size: 64)
        do {
            _ = try pre.tensor(contentsOf: url)
            Issue.record("truncated JPEG preprocessed")
        } catch let error as ImagingError {
            guard case .truncated(let file, _) = error else {
                Issue.record("expected .truncated, got \(error)")
                return
            }
            #expect(file.hasSuffix("truncated.jpg"))
        }
        // Truncated below a small region at the top: the rest of the file is still read, so it still fails.
        #expect(throws: ImagingError.self) { try JPEG.decode(contentsOf: url, region: PixelBox(x1: 0, y1: 0, x2: 8, y2: 8)) }
    }
}
