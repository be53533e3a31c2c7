import Foundation
import Imaging
import Numerics
import Testing

/// The ``ImageFit/stretch`` fit equals torchvision `Resize((S, S), BICUBIC)` byte for byte, on whole pictures,
/// object canvases and through the JPEG region decoder, and keeps what the centre crop cuts off.
@Suite struct StretchFitTests {
    static let manifest = FixtureManifest.shared

    static func preprocessor(size: Int) throws -> CLIPPreprocessor {
        try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: size, mean: manifest.mean, std: manifest.std,
                                                          fit: .stretch))
    }

    @Test(arguments: FixtureManifest.shared.stretch.map(\.expected))
    func equalsTorchvisionResizeToSquare(expected: String) throws {
        let entry = Self.manifest.stretch.first { $0.expected == expected }!
        let image = try JPEG.decode(contentsOf: FixtureManifest.url(entry.image))
        let pre = try Self.preprocessor(size: entry.size)
        let window: RGBImage
        if let box = entry.box {
            window = try pre.window(for: .object(try #require(PixelBox(truncating: box))), of: image)
            CLIPPreprocessorTests.expectClose(try pre.objectTensor(for: image, box: box), expected, size: entry.size, expected)
        } else {
            window = try pre.croppedImage(image)
            CLIPPreprocessorTests.expectClose(try pre.tensor(for: image), expected, size: entry.size, expected)
        }
        #expect(window.width == entry.size && window.height == entry.size)
        #expect(FixtureManifest.mismatches(window, expected) == 0, "\(expected): bytes differ from PIL's resize to a square")
    }

    @Test(arguments: FixtureManifest.shared.stretch.filter { $0.box == nil }.map(\.expected))
    func jpegRegionDecodeEqualsFullDecode(expected: String) throws {
        let entry = Self.manifest.stretch.first { $0.expected == expected }!
        let window = try Self.preprocessor(size: entry.size).croppedImage(contentsOf: FixtureManifest.url(entry.image))
        #expect(FixtureManifest.mismatches(window, expected) == 0, "\(expected): the file path differs from PIL")
    }

    /// A wide picture whose left and right edges are marked: the centre crop loses the marks, the stretch keeps them.
    @Test func keepsTheEdgesTheCentreCropDrops() throws {
        var image = RGBImage(width: 96, height: 48)
        for y in 0..<48 {
            for x in 0..<96 where x < 12 || x >= 84 { image.pixels[(y * 96 + x) * 3] = 255 }
        }
        var config = CLIPPreprocessConfig(imageSize: 16, mean: [0, 0, 0], std: [1, 1, 1])
        let cropped = try CLIPPreprocessor(config: config).croppedImage(image)
        config.fit = .stretch
        let stretched = try CLIPPreprocessor(config: config).croppedImage(image)
        func red(_ w: RGBImage, column: Int) -> Int { Int(w.pixels[(8 * w.width + column) * 3]) }
        #expect(red(cropped, column: 0) == 0 && red(cropped, column: 15) == 0)
        #expect(red(stretched, column: 0) == 255 && red(stretched, column: 15) == 255)
        #expect(red(stretched, column: 8) == 0)
    }

    @Test func readsHuggingFaceConfigWithoutCentreCrop() throws {
        let json = #"{"do_center_crop": false, "size": {"height": 96, "width": 96}, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}"#
        let config = try CLIPPreprocessConfig(huggingFacePreprocessorConfig: Data(json.utf8), source: "pp.json")
        #expect(config == CLIPPreprocessConfig(imageSize: 96, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], fit: .stretch))
        // Without a crop, a shortest-edge size gives a non-square input, which the towers do not take.
        let shortest = #"{"do_center_crop": false, "size": {"shortest_edge": 96}, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}"#
        #expect(throws: ImagingError.self) {
            try CLIPPreprocessConfig(huggingFacePreprocessorConfig: Data(shortest.utf8), source: "pp.json")
        }
    }

    @Test func codableKeepsTheFitAndDefaultsToCentreCrop() throws {
        let stretch = CLIPPreprocessConfig(imageSize: 64, mean: [0.1, 0.2, 0.3], std: [1, 1, 1], fit: .stretch)
        let data = try JSONEncoder().encode(stretch)
        #expect(try JSONDecoder().decode(CLIPPreprocessConfig.self, from: data) == stretch)
        let old = #"{"image_size": 64, "image_mean": [0.1, 0.2, 0.3], "image_std": [1, 1, 1]}"#
        #expect(try JSONDecoder().decode(CLIPPreprocessConfig.self, from: Data(old.utf8)).fit == .centerCrop)
    }
}
