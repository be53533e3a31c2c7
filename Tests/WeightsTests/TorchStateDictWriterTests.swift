import Foundation
import Zlib
import Numerics
import Testing

@testable import Weights

/// Swift-written state dicts read back by the Swift reader (PyTorch reading them is checked by
/// tools/make_scenario_fixtures.py verify; see the ScenarioModel tests).
@Suite struct TorchStateDictWriterTests {
    private func sampleTensors() -> [(name: String, tensor: Tensor)] {
        [
            ("encoder.layers.0.weight", Tensor(shape: [3, 5], values: (0..<15).map { Float($0) * 0.37 - 2 })),
            ("encoder.layers.0.bias", Tensor(shape: [3], values: [0.5, -1.25, 1e-3])),
            ("logit_scale", Tensor(shape: [], values: [4.6052])),
            ("empty", Tensor(zeros: [0, 4])),
        ]
    }

    @Test func float32RoundTripIsExact() throws {
        let url = TorchFixtures.temporaryURL("f32.pt")
        defer { try? FileManager.default.removeItem(at: url) }
        try TorchStateDictWriter().write(sampleTensors(), to: url)
        let back = try TorchCheckpoint(contentsOf: url)
        #expect(back.archiveName == "archive")
        #expect(back.tensorNames == sampleTensors().map(\.name).sorted())
        for (name, tensor) in sampleTensors() {
            let read = try back.tensor(name)
            #expect(read.shape == tensor.shape)
            #expect(read.scalars == tensor.scalars)
            #expect(back.info(name)?.dtype == .float32)
        }
        // Data records are 64-byte aligned, so f32 is mapped in place.
        #expect(try back.tensor("encoder.layers.0.weight").storage.isBorrowed)
    }

    @Test func float16StorageRoundsToHalf() throws {
        let url = TorchFixtures.temporaryURL("f16.pt")
        defer { try? FileManager.default.removeItem(at: url) }
        try TorchStateDictWriter(dtype: .float16).write(sampleTensors(), to: url)
        let back = try TorchCheckpoint(contentsOf: url)
        for (name, tensor) in sampleTensors() {
            #expect(back.info(name)?.dtype == .float16)
            let read = try back.tensor(name).scalars
            for (a, b) in zip(read, tensor.scalars) {
                #expect(abs(a - b) <= abs(b) / 1024 + 1e-7, "\(name): \(a) vs \(b)")
            }
        }
    }

    @Test func zip64RecordsAreReadBack() throws {
        let url = TorchFixtures.temporaryURL("zip64.pt")
        defer { try? FileManager.default.removeItem(at: url) }
        var writer = TorchStateDictWriter()
        writer.forceZip64 = true
        try writer.write(sampleTensors(), to: url)
        let back = try TorchCheckpoint(contentsOf: url)
        for (name, tensor) in sampleTensors() {
            #expect(try back.tensor(name).scalars == tensor.scalars)
        }
    }

    @Test func exportThenReloadGivesIdenticalBytes() throws {
        let first = TorchFixtures.temporaryURL("first.pt")
        let second = TorchFixtures.temporaryURL("second.pt")
        defer {
            try? FileManager.default.removeItem(at: first)
            try? FileManager.default.removeItem(at: second)
        }
        // Archives are written in sorted name order, so write the first file sorted too.
        try TorchStateDictWriter().write(sampleTensors().sorted { $0.name < $1.name }, to: first)
        try TorchStateDictWriter().write(try TorchCheckpoint(contentsOf: first), to: second)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
    }

    @Test func rewritingAPyTorchFileKeepsEveryValue() throws {
        let source = try TorchCheckpoint(contentsOf: TorchFixtures.url("torch_plain.pt"))
        let url = TorchFixtures.temporaryURL("rewritten.pt")
        defer { try? FileManager.default.removeItem(at: url) }
        try TorchStateDictWriter().write(source, to: url)
        let back = try TorchCheckpoint(contentsOf: url)
        for name in source.tensorNames {
            #expect(try back.tensor(name).scalars == source.tensor(name).scalars, "\(name)")
        }
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }
}
