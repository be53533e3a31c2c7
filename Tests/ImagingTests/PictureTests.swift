import Foundation
import Imaging
import Testing

/// pictures/pictures.json, written by tools/make_picture_fixtures.py with Pillow's RGB output of each file.
struct PictureManifest: Decodable {
    struct Entry: Decodable {
        let file: String
        let kind: String
        let width: Int
        let height: Int
        let rgb: String
        let tolerance: Int
    }

    struct Hostile: Decodable {
        let file: String
        let what: String
        let pillow: String
    }

    let pictures: [Entry]
    let hostile: [Hostile]

    static let shared: PictureManifest = {
        let data = try! Data(contentsOf: url("pictures.json"))
        return try! JSONDecoder().decode(PictureManifest.self, from: data)
    }()

    static func url(_ name: String) -> URL { FixtureManifest.url("pictures/" + name) }
}

@Suite struct PictureTests {
    /// Every PNG colour type and depth, palettes with and without tRNS, Adam7, APNG, a PNG named .jpg,
    /// lossless WebP and animated WebP's first frame: byte for byte Pillow's `Image.open(f).convert("RGB")`.
    @Test(arguments: PictureManifest.shared.pictures.filter { $0.file != "lossy.webp" && $0.file != "lossy_alpha.webp" })
    func equalsPillow(_ entry: PictureManifest.Entry) throws {
        let image = try Picture.decode(contentsOf: PictureManifest.url(entry.file))
        #expect(image.width == entry.width && image.height == entry.height, "\(entry.file)")
        let expected = FixtureManifest.bytes("pictures/" + entry.rgb)
        let differing = zip(image.pixels, expected).filter { $0 != $1 }.count
        #expect(image.pixels.count == expected.count && differing == 0, "\(entry.file) (\(entry.kind)): \(differing) bytes differ")
        #expect(try Picture.readSize(contentsOf: PictureManifest.url(entry.file)) == (entry.width, entry.height))
    }

    /// Lossy WebP through Debian's libwebp against Pillow's bundled libwebp (a newer release): the VP8 decoder
    /// is specified to the bit, so the bytes are equal too.
    @Test(arguments: ["lossy.webp", "lossy_alpha.webp"])
    func lossyWebPEqualsPillow(_ file: String) throws {
        let entry = try #require(PictureManifest.shared.pictures.first { $0.file == file })
        let image = try Picture.decode(contentsOf: PictureManifest.url(file))
        let expected = FixtureManifest.bytes("pictures/" + entry.rgb)
        #expect(image.pixels.count == expected.count)
        let worst = zip(image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= entry.tolerance, "\(file): largest difference \(worst)")
    }

    @Test func formatIsSniffedNotNamed() throws {
        #expect(try Picture.format(of: Data(contentsOf: PictureManifest.url("png_named.jpg")), source: "x") == .png)
        #expect(try Picture.format(of: Data(contentsOf: PictureManifest.url("lossless.webp")), source: "x") == .webp)
        #expect(try Picture.format(of: Data(contentsOf: FixtureManifest.url("images/tiny.jpg")), source: "x") == .jpeg)
        let gif = PictureManifest.url("gif_named.png")
        #expect(throws: ImagingError.unsupportedFormat(file: gif.path, detail: "it is a GIF image")) {
            try Picture.decode(contentsOf: gif)
        }
        #expect(throws: ImagingError.unsupportedFormat(file: gif.path, detail: "it is a GIF image")) {
            try Picture.readSize(contentsOf: gif)
        }
    }

    @Test func jpegThroughPictureEqualsJPEG() throws {
        let url = FixtureManifest.url("images/landscape.jpg")
        #expect(try Picture.decode(contentsOf: url) == JPEG.decode(contentsOf: url))
        #expect(try Picture.readSize(contentsOf: url) == JPEG.readSize(contentsOf: url))
    }

    /// The whole-file preprocessing path (JPEG region decode elsewhere) equals decode-then-crop for PNG/WebP.
    @Test(arguments: ["ct6_16.png", "apng.png", "lossless_alpha.webp", "png_named.jpg"])
    func croppedImageOfFileEqualsDecodeThenCrop(_ file: String) throws {
        let pre = try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: 8, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]))
        let url = PictureManifest.url(file)
        #expect(try pre.croppedImage(contentsOf: url) == pre.croppedImage(Picture.decode(contentsOf: url)))
    }

    // MARK: Hostile pictures

    private func expectError(_ file: String, _ check: (ImagingError) -> Bool) {
        let url = PictureManifest.url(file)
        do {
            _ = try Picture.decode(contentsOf: url)
            Issue.record("\(file) decoded")
        } catch let error as ImagingError {
            #expect(check(error), "\(file): \(error)")
            #expect(error.description.contains(url.path), "\(file): \(error)")
        } catch {
            Issue.record("\(file): unexpected \(error)")
        }
    }

    @Test func truncatedPictures() {
        for file in ["truncated.png", "truncated_header.png", "truncated.webp"] {
            expectError(file) { if case .truncated = $0 { return true } else { return false } }
        }
    }

    /// An animation cut inside its frames cannot be demuxed: an error naming the file (Pillow refuses it too).
    @Test func truncatedAnimationIsRefused() {
        expectError("truncated_animated.webp") {
            switch $0 {
            case .corrupt, .truncated: return true
            default: return false
            }
        }
    }

    /// CRCs are checked where Pillow checks them (every chunk before the image data) and also IDAT's, which
    /// Pillow skips; chunks after the image are not checked, as in Pillow (trailing_bad_crc_text.png and the
    /// files ending without IEND are among the pictures equal to Pillow's).
    @Test func badCRCsAreRefused() {
        for file in ["bad_crc_ihdr.png", "bad_crc_idat.png", "bad_crc_text.png"] {
            expectError(file) { if case .corrupt(_, let detail) = $0 { return detail.contains("CRC") } else { return false } }
        }
    }

    @Test func hugeDeclaredSizesFailBeforeAllocating() throws {
        let limit = PictureDecodeOptions.defaultMaxPixels
        let png = PictureManifest.url("huge_ihdr.png")
        #expect(throws: ImagingError.tooManyPixels(file: png.path, width: 100_000, height: 100_000, limit: limit)) {
            try Picture.decode(contentsOf: png)
        }
        #expect(try Picture.readSize(contentsOf: png) == (100_000, 100_000))
        let webp = PictureManifest.url("huge_canvas.webp")
        #expect(throws: ImagingError.tooManyPixels(file: webp.path, width: 16383, height: 16383, limit: limit)) {
            try Picture.decode(contentsOf: webp)
        }
        let small = PictureManifest.url("ct2_8.png")
        #expect(throws: ImagingError.tooManyPixels(file: small.path, width: 13, height: 11, limit: 100)) {
            try Picture.decode(contentsOf: small, options: PictureDecodeOptions(maxPixels: 100))
        }
        let lossless = PictureManifest.url("lossless.webp")
        #expect(throws: ImagingError.tooManyPixels(file: lossless.path, width: 48, height: 32, limit: 100)) {
            try Picture.decode(contentsOf: lossless, options: PictureDecodeOptions(maxPixels: 100))
        }
    }

    /// A 64×64 IDAT that inflates to 16 MiB: inflation stops at the declared image, whose rows are all zero
    /// (Pillow decodes it the same).
    @Test func zlibBombIsBoundedByTheDeclaredImage() throws {
        let image = try Picture.decode(contentsOf: PictureManifest.url("zlib_bomb.png"))
        #expect(image.width == 64 && image.height == 64 && image.pixels.count == 64 * 64 * 3)
        #expect(image.pixels.allSatisfy { $0 == 0 })
    }

    /// Compressed text inflating to 24 MiB is refused at libspng's chunk limit without inflating it whole
    /// (Pillow refuses it too, past 1 MiB).
    @Test func metadataBombIsRefused() {
        expectError("ztxt_bomb.png") {
            if case .corrupt(_, let detail) = $0 { return detail.contains("metadata chunk") } else { return false }
        }
    }

    @Test func emptyFile() {
        let url = PictureManifest.url("empty.png")
        #expect(throws: ImagingError.emptyFile(file: url.path)) { try Picture.decode(contentsOf: url) }
        #expect(throws: ImagingError.emptyFile(file: url.path)) { try Picture.readSize(contentsOf: url) }
    }

    @Test func everyHostileFileIsCovered() {
        let covered: Set = [
            "truncated.png", "truncated_header.png", "truncated.webp", "bad_crc_ihdr.png", "bad_crc_idat.png",
            "bad_crc_text.png", "huge_ihdr.png", "huge_canvas.webp", "zlib_bomb.png", "ztxt_bomb.png", "empty.png",
            "gif_named.png", "truncated_animated.webp",
        ]
        #expect(Set(PictureManifest.shared.hostile.map(\.file)) == covered)
    }
}
