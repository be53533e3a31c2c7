import Foundation
import Imaging
import Numerics
import Testing

@testable import ScenarioModel

/// A JPEG through Swift decoding + CLIP preprocessing + the model equals the reference pipeline
/// (PIL + torchvision eval transform + PyTorch), for the whole image and the object input.
@Suite struct ScenarioModelImageTests {
    @Test func jpegThroughPreprocessingMatchesTheReference() throws {
        let model = try ScenarioModelLoader.load(url: ScenarioFixtures.url("three_level.ckpt"))
        let p = model.preprocess
        let preprocessor = try CLIPPreprocessor(config: CLIPPreprocessConfig(imageSize: p.imageSize, mean: p.mean, std: p.std))
        let image = try JPEG.decode(contentsOf: ScenarioFixtures.url("scene.jpg"))
        let whole = try preprocessor.tensor(for: image)
        let object = try preprocessor.objectTensor(for: image, box: PixelBox(x1: 9, y1: 6, x2: 33, y2: 30))
        let pixels = preprocessor.batch([whole, object])
        ScenarioFixtures.expectClose(pixels.reshaped([2, 3 * 32 * 32]),
                                     ScenarioFixtures.reference("jpeg.pixels").reshaped([2, 3 * 32 * 32]),
                                     "preprocessed pixels", tolerance: 1e-4)
        ScenarioFixtures.expectClose(try model.embedImages(preprocessor.batch([whole]), level: .global),
                                     ScenarioFixtures.reference("jpeg.global.image"), "global image")
        ScenarioFixtures.expectClose(try model.embedImages(preprocessor.batch([object]), level: .object),
                                     ScenarioFixtures.reference("jpeg.object.image"), "object input")
    }
}
