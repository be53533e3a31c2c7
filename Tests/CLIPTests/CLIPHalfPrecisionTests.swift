import Foundation
import Numerics
import Testing
import Weights

@testable import CLIP

/// The opt-in float16 and bfloat16 weight modes (`CLIPModel.converted(to:)`): how close they stay to Hugging Face's
/// float32 results on the parity fixtures. They are not held to the 1e-4 parity bound of the default float32 path.
@Suite struct CLIPHalfPrecisionTests {
    /// Smallest cosine of the float16 model's features to the float32 reference, per row.
    static let minimumCosine: Float = 0.9999

    static func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String) {
        #expect(actual.shape == expected.shape, "\(what) shape")
        guard actual.shape == expected.shape else { return }
        for r in 0..<expected.rowCount {
            let cosine = actual.gatherRows([r]).cosineSimilarity(expected.gatherRows([r]))
            #expect(cosine >= minimumCosine, "\(what) row \(r): cosine \(cosine)")
        }
        // Rounded weights do change the result (the mode is not a no-op).
        #expect(actual.maxAbsDifference(expected) > 0, "\(what) unchanged by rounded weights")
    }

    @Test(arguments: CLIPParityTests.fixtureNames)
    func halfPrecisionFeaturesStayCloseToHuggingFace(name: String) throws {
        let fixture = try CLIPParityTests.Fixture(name)
        let full = try CLIPModel(folder: fixture.folder)
        let half = full.converted(to: .float16)
        let vision = try #require(half.vision), text = try #require(half.text)
        #expect(vision.encoder.layers.allSatisfy { $0.fc1.precision == .float16 && $0.attention.query.precision == .float16 })
        #expect(half.visualProjection?.precision == .float16 && half.textProjection?.precision == .float16)
        let pixels = try fixture.expected.tensor("pixels")
        Self.expectClose(try half.imageFeatures(pixels), try fixture.expected.tensor("image_embeds"), "\(name) image")
        Self.expectClose(try half.textFeatures(fixture.tokenIDs), try fixture.expected.tensor("text_embeds"), "\(name) text")
        // Converting back widens exactly: the float16 model's weights, as float32, give the same features.
        let widened = half.converted(to: .float32)
        #expect(try widened.imageFeatures(pixels).scalars == (try half.imageFeatures(pixels)).scalars)
        // The float32 model itself is untouched by the conversion.
        CLIPParityTests.expectMatch(try full.textFeatures(fixture.tokenIDs), try fixture.expected.tensor("text_embeds"), "\(name) float32 text")
    }

    /// bfloat16 weights (and inputs to every product) on the kernel the CPU reports and on each other kernel it
    /// runs — the widened float32 fallback among them, forced.
    @Test(arguments: CLIPParityTests.fixtureNames, BFloat16Kernel.allCases.filter(\.runsHere))
    func bfloat16FeaturesStayCloseToHuggingFace(name: String, kernel: BFloat16Kernel) throws {
        let fixture = try CLIPParityTests.Fixture(name)
        let model = try CLIPModel(folder: fixture.folder).converted(to: .bfloat16)
        let vision = try #require(model.vision)
        #expect(vision.encoder.layers.allSatisfy { $0.fc2.precision == .bfloat16 && $0.attention.value.precision == .bfloat16 })
        #expect(model.textProjection?.precision == .bfloat16)
        try BFloat16Kernel.withKernel(kernel) {
            let pixels = try fixture.expected.tensor("pixels")
            Self.expectClose(try model.imageFeatures(pixels), try fixture.expected.tensor("image_embeds"), "\(name) \(kernel) image")
            Self.expectClose(try model.textFeatures(fixture.tokenIDs), try fixture.expected.tensor("text_embeds"), "\(name) \(kernel) text")
        }
    }
}
