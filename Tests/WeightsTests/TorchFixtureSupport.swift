import Foundation
import Numerics
import Testing

@testable import Weights

/// Shared helpers for the PyTorch checkpoint tests.
enum TorchFixtures {
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    struct ExpectedTensor: Decodable {
        var shape: [Int]
        var values: [Double]
    }

    struct Expected: Decodable {
        struct Lightning: Decodable {
            var state_dict: [String: ExpectedTensor]
            var ema: [String: ExpectedTensor]
            var epoch: Int
            var global_step: Int
        }
        var plain: [String: ExpectedTensor]
        var lightning: Lightning
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url("torch_expected.json")))
    }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("scenarioclip-weights-\(UUID().uuidString)-\(name)")
    }

    /// Asserts `tensor` equals the reference exactly (values are exactly representable after conversion).
    static func expectEqual(_ tensor: Tensor, _ reference: ExpectedTensor, _ name: String) {
        #expect(tensor.shape == reference.shape, "shape of \(name)")
        let values = tensor.scalars
        #expect(values.count == reference.values.count, "count of \(name)")
        for (a, b) in zip(values, reference.values) where Double(a) != Double(Float(b)) {
            Issue.record("\(name): \(a) != \(b)")
            return
        }
    }
}
