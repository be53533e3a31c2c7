import Foundation
import Imaging
import Numerics
import Testing

@Suite struct CLIPPreprocessorTests {
    static let manifest = FixtureManifest.shared

    static func preprocessor(size: Int) throws -> CLIPPreprocessor {
        try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: size, mean: manifest.mean, std: manifest.std))
    }

    /// Compares a `[3, S, S]` normalised tensor with the reference uint8 `[3, S, S]` in the [0, 1] range
    /// (undoing Normalize): max abs diff ≤ 1/255, mean abs diff ≤ 0.1/255.
    static func expectClose(_ tensor: Tensor, _ expectedFile: String, size: Int, _ label: String) {
        #expect(tensor.shape == [3, size, size])
        let expected = FixtureManifest.bytes(expectedFile)
        #expect(expected.count == 3 * size * size)
        let values = tensor.scalars
        let plane = size * size
        var maxDiff: Float = 0
        var sumDiff: Double = 0
        for c in 0..<3 {
            for i in 0..<plane {
                let unit = values[c * plane + i] * manifest.std[c] + manifest.mean[c]
                let diff = abs(unit - Float(expected[c * plane + i]) / 255)
                maxDiff = max(maxDiff, diff)
                sumDiff += Double(diff)
            }
        }
        let meanDiff = sumDiff / Double(3 * plane)
        #expect(maxDiff <= 1.0 / 255 + 1e-6, "\(label): max abs diff \(maxDiff * 255)/255")
        #expect(meanDiff <= 0.1 / 255, "\(label): mean abs diff \(meanDiff * 255)/255")
    }

    @Test(arguments: FixtureManifest.shared.preprocess.map { "\($0.image)@\($0.size)" })
    func fullImageMatchesTorchvision(key: String) throws {
        let entry = Self.manifest.preprocess.first { "\($0.image)@\($0.size)" == key }!
        let image = try JPEG.decode(contentsOf: FixtureManifest.url(entry.image))
        let tensor = try Self.preprocessor(size: entry.size).tensor(for: image)
        Self.expectClose(tensor, entry.expected, size: entry.size, key)
    }

    @Test(arguments: FixtureManifest.shared.preprocess.map { "\($0.image)@\($0.size)" })
    func croppedPixelsEqualPILExactly(key: String) throws {
        let entry = Self.manifest.preprocess.first { "\($0.image)@\($0.size)" == key }!
        let image = try JPEG.decode(contentsOf: FixtureManifest.url(entry.image))
        let window = try Self.preprocessor(size: entry.size).croppedImage(image)
        let mismatches = FixtureManifest.mismatches(window, entry.expected)
        #expect(mismatches == 0, "\(key): \(mismatches) bytes differ from PIL's resize + crop")
    }

    @Test(arguments: FixtureManifest.shared.crops.map(\.expected))
    func blackCanvasCropsMatchReference(expected: String) throws {
        let entry = Self.manifest.crops.first { $0.expected == expected }!
        let image = try JPEG.decode(contentsOf: FixtureManifest.url(entry.image))
        let pre = try Self.preprocessor(size: entry.size)
        let tensor: Tensor
        if entry.kind == "relation" {
            tensor = try pre.relationTensor(
                for: image, subject: try #require(PixelBox(truncating: entry.boxes[0])), object: try #require(PixelBox(truncating: entry.boxes[1])))
        } else {
            tensor = try pre.objectTensor(for: image, box: entry.boxes[0])
        }
        Self.expectClose(tensor, entry.expected, size: entry.size, expected)
    }

    @Test func restrictedCanvasPathEqualsMaterialisedCanvas() throws {
        let image = try JPEG.decode(contentsOf: FixtureManifest.url("images/portrait.jpg"))
        let pre = try Self.preprocessor(size: 64)
        for box in [PixelBox(x1: 10, y1: 20, x2: 90, y2: 200), PixelBox(x1: 0, y1: 0, x2: 1, y2: 1),
                    PixelBox(x1: 170, y1: 290, x2: 400, y2: 400)] {
            var canvas = RGBImage(width: image.width, height: image.height)
            let b = box.clamped(width: image.width, height: image.height)
            for y in b.y1..<b.y2 {
                for x in b.x1..<b.x2 {
                    for c in 0..<3 { canvas.pixels[(y * image.width + x) * 3 + c] = image.pixels[(y * image.width + x) * 3 + c] }
                }
            }
            let fast = try pre.objectTensor(for: image, box: box)
            let slow = try pre.tensor(for: canvas)
            #expect(fast.scalars == slow.scalars, "box \(box)")
        }
    }

    @Test func resizedSizeFollowsTorchvision() {
        #expect(CLIPPreprocessor.resizedSize(width: 640, height: 480, shorterSide: 224) == (298, 224))
        #expect(CLIPPreprocessor.resizedSize(width: 480, height: 640, shorterSide: 224) == (224, 298))
        #expect(CLIPPreprocessor.resizedSize(width: 1920, height: 1080, shorterSide: 224) == (398, 224))
        #expect(CLIPPreprocessor.resizedSize(width: 7, height: 5, shorterSide: 224) == (313, 224))
        #expect(CLIPPreprocessor.resizedSize(width: 50, height: 50, shorterSide: 224) == (224, 224))
    }

    @Test func batchStacksTensors() throws {
        let pre = try Self.preprocessor(size: 64)
        let a = try JPEG.decode(contentsOf: FixtureManifest.url("images/tiny.jpg"))
        let b = try JPEG.decode(contentsOf: FixtureManifest.url("images/grey.jpg"))
        let ta = try pre.tensor(for: a), tb = try pre.tensor(for: b)
        let batch = pre.batch([ta, tb])
        #expect(batch.shape == [2, 3, 64, 64])
        #expect(Array(batch.scalars[0..<ta.count]) == ta.scalars)
        #expect(Array(batch.scalars[ta.count...]) == tb.scalars)
    }

    // MARK: Bad boxes and configs

    @Test func boxOutsideImageIsAnError() throws {
        let image = try JPEG.decode(contentsOf: FixtureManifest.url("images/tiny.jpg"))
        let pre = try Self.preprocessor(size: 32)
        let box = PixelBox(x1: 10, y1: 0, x2: 20, y2: 5)
        #expect(throws: ImagingError.invalidBox(box: box, width: 7, height: 5,
                                                detail: "no pixel of the box lies inside the image")) {
            try pre.objectTensor(for: image, box: box)
        }
        do {
            _ = try pre.objectTensor(for: image, box: box)
        } catch {
            #expect("\(error)".contains("[10, 0, 20, 5]"))
        }
    }

    @Test func invertedBoxIsAnError() throws {
        let image = try JPEG.decode(contentsOf: FixtureManifest.url("images/tiny.jpg"))
        let pre = try Self.preprocessor(size: 32)
        let box = PixelBox(x1: 5, y1: 1, x2: 2, y2: 4)
        #expect(throws: ImagingError.invalidBox(box: box, width: 7, height: 5, detail: "x2 < x1 or y2 < y1")) {
            try pre.objectTensor(for: image, box: box)
        }
        #expect(throws: ImagingError.invalidBox(box: box, width: 7, height: 5, detail: "x2 < x1 or y2 < y1")) {
            try pre.relationTensor(for: image, subject: PixelBox(x1: 0, y1: 0, x2: 3, y2: 3), object: box)
        }
        #expect(throws: ImagingError.self) { try pre.objectTensor(for: image, box: [1, 2, 3]) }
        #expect(throws: ImagingError.self) { try pre.objectTensor(for: image, box: [1, .nan, 3, 4]) }
    }

    @Test func invalidConfigIsAnError() {
        #expect(throws: ImagingError.self) {
            try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: 0, mean: [0, 0, 0], std: [1, 1, 1]))
        }
        #expect(throws: ImagingError.self) {
            try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: 224, mean: [0, 0], std: [1, 1, 1]))
        }
        #expect(throws: ImagingError.self) {
            try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: 224, mean: [0, 0, 0], std: [1, 0, 1]))
        }
    }
}

@Suite struct CLIPPreprocessConfigTests {
    @Test func readsHuggingFaceConfigsOldAndNew() throws {
        let old = #"{"crop_size": 224, "size": 224, "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3}"#
        let new = #"{"crop_size": {"height": 336, "width": 336}, "size": {"shortest_edge": 336}, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}"#
        let a = try CLIPPreprocessConfig(huggingFacePreprocessorConfig: Data(old.utf8), source: "old.json")
        #expect(a == .openAICLIP)
        let b = try CLIPPreprocessConfig(huggingFacePreprocessorConfig: Data(new.utf8), source: "new.json")
        #expect(b == CLIPPreprocessConfig(imageSize: 336, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]))
    }

    @Test func rejectsMalformedConfigsNamingTheFile() {
        let cases = [
            "[]",
            #"{"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}"#,
            #"{"crop_size": 224, "size": 256, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}"#,
            #"{"crop_size": 224, "image_mean": [0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}"#,
            #"{"crop_size": {"height": 224, "width": 200}, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}"#,
        ]
        for text in cases {
            do {
                _ = try CLIPPreprocessConfig(huggingFacePreprocessorConfig: Data(text.utf8), source: "pp.json")
                Issue.record("accepted \(text)")
            } catch {
                #expect("\(error)".contains("pp.json"), "\(error)")
            }
        }
    }
}
