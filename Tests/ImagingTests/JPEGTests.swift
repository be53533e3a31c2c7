import Foundation
import Imaging
import Testing

@Suite struct JPEGTests {
    static let manifest = FixtureManifest.shared

    @Test(arguments: FixtureManifest.shared.images.map(\.file))
    func decodedPixelsEqualPIL(file: String) throws {
        let entry = Self.manifest.images.first { $0.file == file }!
        let image = try JPEG.decode(contentsOf: FixtureManifest.url(file))
        #expect(image.width == entry.width)
        #expect(image.height == entry.height)
        #expect(fnv1a64(image.pixels) == entry.rgbFNV1a64, "decoded RGB of \(file) differs from PIL (\(entry.mode))")
        if let raw = entry.rgbRaw {
            #expect(image.pixels == FixtureManifest.bytes(raw))
        }
    }

    @Test(arguments: FixtureManifest.shared.images.map(\.file))
    func exifOrientationMatchesPILExifTranspose(file: String) throws {
        let entry = Self.manifest.images.first { $0.file == file }!
        let options = PictureDecodeOptions(applyEXIFOrientation: true)
        let image = try JPEG.decode(contentsOf: FixtureManifest.url(file), options: options)
        #expect(image.width == entry.uprightWidth && image.height == entry.uprightHeight)
        #expect(fnv1a64(image.pixels) == entry.uprightRGBFNV1a64)
    }

    @Test func exifOrientationIsReadButNotAppliedByDefault() throws {
        let url = FixtureManifest.url("images/exif.jpg")
        let header = try JPEG.readHeader(contentsOf: url)
        #expect(header.exifOrientation == 6)
        let image = try JPEG.decode(contentsOf: url)
        #expect(image.width == 200 && image.height == 120)
    }

    @Test(arguments: FixtureManifest.shared.images.map(\.file))
    func readSizeMatchesHeader(file: String) throws {
        let entry = Self.manifest.images.first { $0.file == file }!
        let size = try JPEG.readSize(contentsOf: FixtureManifest.url(file))
        #expect(size.width == entry.width && size.height == entry.height)
    }

    @Test func encodeRoundTripsCloselyAndHonoursQuality() throws {
        let original = try JPEG.decode(contentsOf: FixtureManifest.url("images/landscape.jpg"))
        let high = try JPEG.encode(original, quality: 95)
        let low = try JPEG.encode(original, quality: 20)
        #expect(low.count < high.count)
        let back = try JPEG.decode(data: high, source: "memory")
        #expect(back.width == original.width && back.height == original.height)
        var total = 0
        for i in 0..<original.pixels.count { total += abs(Int(original.pixels[i]) - Int(back.pixels[i])) }
        let meanError = Double(total) / Double(original.pixels.count)
        #expect(meanError < 3.0, "mean abs error \(meanError) after a quality-95 round trip")
    }

    @Test func writeCreatesADecodableFile() throws {
        let image = RGBImage(width: 9, height: 4, pixels: (0..<108).map { UInt8($0 * 2) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("imaging-\(UUID().uuidString).jpg")
        defer { try? FileManager.default.removeItem(at: url) }
        try JPEG.write(image, to: url, quality: 90)
        #expect(try JPEG.readSize(contentsOf: url) == (width: 9, height: 4))
    }

    @Test func encodeRejectsBadQualityAndEmptyImage() {
        let image = RGBImage(width: 2, height: 2)
        #expect(throws: ImagingError.encodeFailed(detail: "quality 0 is outside 1...100")) {
            try JPEG.encode(image, quality: 0)
        }
        #expect(throws: ImagingError.self) { try JPEG.encode(RGBImage(width: 0, height: 3), quality: 80) }
    }

    // MARK: Bad inputs: each a specific error naming the file, never a crash.

    @Test func emptyFile() {
        let url = FixtureManifest.url("bad/empty.jpg")
        #expect(throws: ImagingError.emptyFile(file: url.path)) { try JPEG.decode(contentsOf: url) }
        #expect(throws: ImagingError.emptyFile(file: url.path)) { try JPEG.readSize(contentsOf: url) }
    }

    @Test func truncatedFile() throws {
        let url = FixtureManifest.url("bad/truncated.jpg")
        do {
            _ = try JPEG.decode(contentsOf: url)
            Issue.record("truncated JPEG decoded")
        } catch let error as ImagingError {
            guard case .truncated(let file, _) = error else {
                Issue.record("expected .truncated, got \(error)")
                return
            }
            #expect(file == url.path)
            #expect(error.description.contains("truncated.jpg"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        // The header is intact, so the size is still readable.
        #expect(try JPEG.readSize(contentsOf: url) == (width: 320, height: 213))
    }

    @Test func truncatedInsideHeader() {
        let data = Data(FixtureManifest.bytes("images/landscape.jpg").prefix(40))
        #expect(throws: ImagingError.self) { try JPEG.decode(data: data, source: "head.jpg") }
        do {
            _ = try JPEG.decode(data: data, source: "head.jpg")
        } catch let error as ImagingError {
            guard case .truncated(file: "head.jpg", _) = error else {
                Issue.record("expected .truncated, got \(error)")
                return
            }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func randomBytes() {
        let url = FixtureManifest.url("bad/random.jpg")
        do {
            _ = try JPEG.decode(contentsOf: url)
            Issue.record("random bytes decoded")
        } catch let error as ImagingError {
            guard case .notJPEG(let file, let detail) = error else {
                Issue.record("expected .notJPEG, got \(error)")
                return
            }
            #expect(file == url.path)
            #expect(detail.contains("no start-of-image marker"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func pngRenamedToJPG() {
        let url = FixtureManifest.url("bad/png_renamed.jpg")
        #expect(throws: ImagingError.notJPEG(file: url.path, detail: "it is a PNG image")) {
            try JPEG.decode(contentsOf: url)
        }
    }

    @Test func hugeDeclaredSizeFailsBeforeAllocating() throws {
        let url = FixtureManifest.url("bad/huge_declared.jpg")
        #expect(throws: ImagingError.tooManyPixels(
            file: url.path, width: 50000, height: 50000, limit: PictureDecodeOptions.defaultMaxPixels)) {
            try JPEG.decode(contentsOf: url)
        }
        #expect(try JPEG.readSize(contentsOf: url) == (width: 50000, height: 50000))
    }

    @Test func pixelLimitIsConfigurable() {
        let url = FixtureManifest.url("images/landscape.jpg")
        #expect(throws: ImagingError.tooManyPixels(file: url.path, width: 320, height: 213, limit: 1000)) {
            try JPEG.decode(contentsOf: url, options: PictureDecodeOptions(maxPixels: 1000))
        }
    }

    @Test func missingFile() {
        let url = FixtureManifest.url("bad/does-not-exist.jpg")
        do {
            _ = try JPEG.decode(contentsOf: url)
            Issue.record("missing file decoded")
        } catch let error as ImagingError {
            guard case .unreadable(file: url.path, _) = error else {
                Issue.record("expected .unreadable, got \(error)")
                return
            }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func corruptScanDataIsAnErrorOrRecoveredNeverACrash() throws {
        var bytes = FixtureManifest.bytes("images/landscape.jpg")
        // Find the start-of-scan marker and overwrite entropy-coded data with marker-like garbage.
        let sos = (0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA }!
        for i in stride(from: sos + 40, to: min(bytes.count - 2, sos + 400), by: 7) { bytes[i] = 0xFF; bytes[i + 1] = 0xD9 }
        do {
            let image = try JPEG.decode(data: Data(bytes), source: "garbled.jpg")
            #expect(image.width == 320)
        } catch let error as ImagingError {
            #expect(error.description.contains("garbled.jpg"))
        }
    }
}
