import Foundation
import Numerics
import Testing

@testable import Weights

/// Reading files written by the Python `safetensors` package, writing our own, and rejecting broken files.
@Suite struct SafeTensorsTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// A fresh temporary folder for one test.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A file holding `header` as its JSON header followed by `data` bytes.
    /// Hostile headers: aliased or overlapping ranges, a name given twice, nesting 100,000 deep, a header length
    /// near 2^64. Each is refused naming the file, in bounded time.
    @Test func hostileHeadersAreRefused() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func message(_ header: String, data: [UInt8] = [UInt8](repeating: 0, count: 16)) throws -> String {
            let url = try Self.rawFile(header, data: data, in: folder)
            do {
                _ = try SafeTensorsFile(url: url)
                return "accepted"
            } catch let error as WeightsError {
                #expect(error.description.contains(url.path))
                return error.description
            }
        }
        let aliased = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#
        #expect(try message(aliased).contains("overlap in the data section"))
        let overlapping = #"{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#
        #expect(try message(overlapping).contains("'a' 0..<12 and 'b' 8..<16 overlap"))
        let adjacent = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [8, 8]}}"#
        #expect(try message(adjacent) == "accepted")
        let twice = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}"#
        #expect(try message(twice).contains("header names 'a' twice"))
        let deep = #"{"a": "# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(try message(deep).contains("nests JSON more than 64 deep"))
        #expect(try message(#"{"w": {"dtype": "X9", "shape": [1], "data_offsets": [0, 4]}}"#).contains("unsupported dtype X9"))
        for length in [UInt64.max, UInt64.max - 7, 1 << 63] {
            var bytes = Data()
            withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: Array("{}".utf8))
            let url = folder.appendingPathComponent("huge.safetensors")
            try bytes.write(to: url)
            #expect { try SafeTensorsFile(url: url) } throws: { "\($0)".contains("runs past the end of the 10-byte file") }
        }
    }

    static func rawFile(_ header: String, data: [UInt8] = [], in folder: URL, name: String = "raw.safetensors") throws -> URL {
        var bytes = Data()
        let json = Array(header.utf8)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        bytes.append(contentsOf: data)
        let url = folder.appendingPathComponent(name)
        try bytes.write(to: url)
        return url
    }

    @Test func readsEveryFloatDTypeWrittenByPython() throws {
        let file = try SafeTensorsFile(url: Self.fixtures.appendingPathComponent("dtypes.safetensors"))
        let expected = try JSONDecoder().decode(
            [String: [UInt32]].self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("dtypes.json")))
        #expect(file.tensorNames == ["bf16", "f16", "f32", "f64", "i64"])
        #expect(file.metadata == ["format": "pt", "note": "dtypes"])
        #expect(file.info("f32") == StoredTensorInfo(name: "f32", dtype: .float32, shape: [3, 4]))
        #expect(file.info("f64")?.shape == [2, 6])
        for name in ["f32", "f16", "bf16", "f64"] {
            let tensor = try file.tensor(name)
            #expect(tensor.scalars.map(\.bitPattern) == expected[name], "\(name)")
        }
        #expect(throws: WeightsError.unsupportedDType(name: "i64", dtype: "I64", source: file.path)) {
            try file.tensor("i64")
        }
        #expect(throws: WeightsError.missingTensor(name: "nope", source: file.path)) { try file.tensor("nope") }
    }

    @Test func float32TensorsBorrowTheMapping() throws {
        let file = try SafeTensorsFile(url: Self.fixtures.appendingPathComponent("dtypes.safetensors"))
        var tensor = try file.tensor("f32")
        #expect(tensor.storage.isBorrowed)
        #expect(try !file.tensor("f16").storage.isBorrowed)
        tensor[flat: 0] = 42  // copy-on-write: the read-only mapping is never written
        #expect(try file.tensor("f32")[flat: 0] == 0)
    }

    /// A packed layer drops its mapped source's pages from memory; the file's values read back unchanged afterwards
    /// (from the tensor still borrowing the mapping and from a fresh read), and packing kept them exactly.
    @Test func releasingMappedPagesKeepsTheValues() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let weight = Tensor.randomNormal(shape: [96, 1000], seed: 5)  // 384 KB: many whole pages
        var writer = SafeTensorsWriter()
        try writer.add("w", weight)
        let url = folder.appendingPathComponent("big.safetensors")
        try writer.write(to: url)
        let file = try SafeTensorsFile(url: url)
        let mapped = try file.tensor("w")
        #expect(mapped.storage.isBorrowed && mapped.scalars == weight.scalars)
        let layer = Linear(weight: mapped, bias: nil).packed()
        #expect(layer.isPacked)
        #expect(mapped.scalars == weight.scalars)
        #expect(try file.tensor("w").scalars == weight.scalars)
        #expect(layer.weight.scalars == weight.scalars)
        mapped.storage.releaseResidentPages()  // twice is harmless
        #expect(mapped.scalars == weight.scalars)
    }

    @Test func writerRoundTripsThroughReader() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = Tensor.randomNormal(shape: [3, 5], seed: 1)
        let b = Tensor(shape: [4], values: [1, -0.5, 65504, 1e-7])
        let scalar = Tensor(shape: [], values: [2.5])
        var writer = SafeTensorsWriter(metadata: ["format": "pt", "step": "7"])
        try writer.add("layer.a", a)
        try writer.add("layer.b", b, as: .float16)
        try writer.add("layer.c", b, as: .bfloat16)
        try writer.add("scale", scalar)
        #expect(throws: WeightsError.self) { try writer.add("scale", scalar) }
        #expect(throws: WeightsError.self) { try writer.add("ints", scalar, as: .int64) }
        let url = folder.appendingPathComponent("out.safetensors")
        try writer.write(to: url)

        let file = try SafeTensorsFile(url: url)
        #expect(file.metadata == ["format": "pt", "step": "7"])
        #expect(file.tensorNames == ["layer.a", "layer.b", "layer.c", "scale"])
        #expect(try file.tensor("layer.a").scalars == a.scalars)
        #expect(try file.tensor("layer.a").storage.isBorrowed)  // header padded to 8 bytes keeps floats aligned
        #expect(file.info("layer.b")?.dtype == .float16)
        #expect(try file.tensor("layer.b").scalars == [1, -0.5, 65504, 1.1920929e-07])
        #expect(try file.tensor("layer.c").scalars == [1, -0.5, 65536, Float(bitPattern: 869_728_256)])  // torch bfloat16 values
        #expect(try file.tensor("scale").shape == [])
        #expect(try file.tensor("scale").scalars == [2.5])
    }

    /// Integer and byte arrays (training's prepared datasets and checkpoints): the `i64` array Python wrote
    /// (`np.arange(6).reshape(2, 3)`), and int32 / int64 / uint8 arrays round-tripped as they are; a dtype other
    /// than the stored one, bytes that do not hold the shape and float dtypes for raw elements are refused.
    @Test func integerElementsRoundTrip() throws {
        let python = try SafeTensorsFile(url: Self.fixtures.appendingPathComponent("dtypes.safetensors"))
        let stored = try python.elements("i64", as: .int64)
        let values = stored.withUnsafeBytes { raw in
            (0..<6).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        }
        #expect(values == [0, 1, 2, 3, 4, 5])
        #expect(throws: WeightsError.malformed(source: python.path, reason: "tensor 'i64' is stored as I64, expected I32")) {
            try python.elements("i64", as: .int32)
        }

        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ids: [Int32] = [7, -1, Int32.max], steps: [Int64] = [Int64.min, 3], pixels: [UInt8] = [0, 128, 255, 9]
        var writer = SafeTensorsWriter(metadata: ["kind": "prepared"])
        try writer.add("ids", elements: ids.map(\.littleEndian).withUnsafeBytes { Data($0) }, dtype: .int32, shape: [3])
        try writer.add("steps", elements: steps.map(\.littleEndian).withUnsafeBytes { Data($0) }, dtype: .int64, shape: [2])
        try writer.add("pixels", elements: Data(pixels), dtype: .uint8, shape: [1, 2, 2])
        try writer.add("w", Tensor(shape: [2], values: [0.5, -2]))
        #expect(throws: WeightsError.self) { try writer.add("bad", elements: Data(count: 5), dtype: .int32, shape: [2]) }
        #expect(throws: WeightsError.self) { try writer.add("f", elements: Data(count: 8), dtype: .float32, shape: [2]) }
        #expect(throws: WeightsError.self) { try writer.add("ids", elements: Data(count: 4), dtype: .int32, shape: [1]) }
        let url = folder.appendingPathComponent("ints.safetensors")
        try writer.write(to: url)

        let file = try SafeTensorsFile(url: url)
        #expect(file.tensorNames == ["ids", "pixels", "steps", "w"])
        #expect(file.info("pixels") == StoredTensorInfo(name: "pixels", dtype: .uint8, shape: [1, 2, 2]))
        #expect([UInt8](try file.elements("pixels", as: .uint8)) == pixels)
        #expect(try file.elements("ids", as: .int32) == ids.map(\.littleEndian).withUnsafeBytes { Data($0) })
        #expect(try file.elements("steps", as: .int64) == steps.map(\.littleEndian).withUnsafeBytes { Data($0) })
        #expect(try file.tensor("w").scalars == [0.5, -2])
        #expect(throws: WeightsError.missingTensor(name: "nope", source: file.path)) { try file.elements("nope", as: .uint8) }
    }

    @Test func scopedViewStripsThePrefix() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var writer = SafeTensorsWriter()
        try writer.add("model.enc.w", Tensor(shape: [2], values: [1, 2]))
        try writer.add("model.enc.b", Tensor(shape: [1], values: [3]))
        try writer.add("model.other", Tensor(shape: [1], values: [4]))
        let url = folder.appendingPathComponent("m.safetensors")
        try writer.write(to: url)
        let scoped = try SafeTensorsFile(url: url).scoped("model.enc.")
        #expect(scoped.tensorNames == ["b", "w"])
        #expect(scoped.info("w")?.name == "w")
        #expect(try scoped.tensor("w").scalars == [1, 2])
        #expect(throws: WeightsError.missingTensor(name: "model.enc.other", source: url.path)) {
            try scoped.tensor("other")
        }
    }

    @Test func loaderChecksShapesAndLeftovers() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var writer = SafeTensorsWriter()
        try writer.add("p.w", Tensor(zeros: [2, 3]))
        try writer.add("p.extra", Tensor(zeros: [1]))
        try writer.add("q.other", Tensor(zeros: [1]))
        let url = folder.appendingPathComponent("m.safetensors")
        try writer.write(to: url)
        let loader = TensorLoader(try SafeTensorsFile(url: url), prefix: "p.")
        #expect(throws: WeightsError.shapeMismatch(name: "p.w", expected: [3, 2], actual: [2, 3], source: url.path)) {
            try loader.tensor("w", shape: [3, 2])
        }
        #expect(throws: WeightsError.missingTensor(name: "p.bias", source: url.path)) {
            try loader.tensor("bias", shape: [2])
        }
        _ = try loader.tensor("w", shape: [2, 3])
        #expect(throws: WeightsError.unexpectedTensors(names: ["p.extra"], source: url.path)) { try loader.checkAllUsed() }
        loader.ignore("extra")
        try loader.checkAllUsed()
    }

    @Test func truncatedFileNamesTheTensor() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var writer = SafeTensorsWriter()
        try writer.add("a", Tensor(zeros: [4]))
        try writer.add("b", Tensor(zeros: [4]))
        let url = folder.appendingPathComponent("t.safetensors")
        try writer.write(to: url)
        let full = try Data(contentsOf: url)
        try full.prefix(full.count - 3).write(to: url)
        do {
            _ = try SafeTensorsFile(url: url)
            Issue.record("truncated file was accepted")
        } catch let error as WeightsError {
            guard case .malformed(let source, let reason) = error else { Issue.record("\(error)"); return }
            #expect(source == url.path)
            #expect(reason.contains("'b'") && reason.contains("truncated"))
        }
        try full.prefix(5).write(to: url)
        #expect(throws: WeightsError.malformed(source: url.path, reason: "file is 5 bytes, too short for a safetensors header")) {
            try SafeTensorsFile(url: url)
        }
        try full.prefix(20).write(to: url)
        #expect(throws: WeightsError.self) { try SafeTensorsFile(url: url) }
    }

    @Test func badHeadersAreRejectedWithTheirReason() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func reason(_ header: String, data: [UInt8] = []) throws -> WeightsError? {
            let url = try Self.rawFile(header, data: data, in: folder)
            do {
                _ = try SafeTensorsFile(url: url)
                return nil
            } catch let error as WeightsError {
                return error
            }
        }
        let path = folder.appendingPathComponent("raw.safetensors").path
        #expect(try reason("{not json")?.description.contains("not valid JSON") == true)
        #expect(try reason("[1, 2]") == .malformed(source: path, reason: "header is not a JSON object"))
        #expect(
            try reason(#"{"w": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])
                == .unsupportedDType(name: "w", dtype: "Q7", source: path))
        #expect(
            try reason(#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])
                == .malformed(source: path, reason: "tensor 'w': 4 bytes do not hold shape [2] of F32"))
        #expect(
            try reason(#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 400]}}"#, data: [0, 0, 0, 0])?
                .description.contains("tensor 'w': data_offsets [0, 400] run past the end") == true)
        #expect(
            try reason(#"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0])
                == .malformed(source: path, reason: "tensor 'w': shape is not a list of non-negative integers"))
        #expect(
            try reason(#"{"w": {"dtype": "F32", "shape": [1]}}"#, data: [0, 0, 0, 0])
                == .malformed(source: path, reason: "tensor 'w': data_offsets is not a pair of integers"))
        #expect(try reason(#"{"__metadata__": {"a": 1}}"#) == .malformed(source: path, reason: "__metadata__ value 'a' is not a string"))
        // A header length pointing past the end of the file.
        var bytes = Data()
        withUnsafeBytes(of: UInt64(1_000).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array("{}".utf8))
        let url = folder.appendingPathComponent("long.safetensors")
        try bytes.write(to: url)
        #expect(throws: WeightsError.malformed(source: url.path, reason: "header length 1000 runs past the end of the 10-byte file")) {
            try SafeTensorsFile(url: url)
        }
        #expect(throws: WeightsError.self) { try SafeTensorsFile(url: folder.appendingPathComponent("absent.safetensors")) }
    }

    @Test func hfFolderFindsConfigAndWeights() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let hf = try HuggingFaceFolder(url: folder)
        #expect(throws: WeightsError.self) { try hf.openWeights() }
        #expect(throws: WeightsError.self) { try hf.configData() }
        // Two shards and an index.
        var first = SafeTensorsWriter()
        try first.add("a", Tensor(shape: [1], values: [1]))
        try first.write(to: folder.appendingPathComponent("model-00001-of-00002.safetensors"))
        var second = SafeTensorsWriter()
        try second.add("b", Tensor(shape: [1], values: [2]))
        try second.write(to: folder.appendingPathComponent("model-00002-of-00002.safetensors"))
        let index = #"{"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}"#
        try Data(index.utf8).write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        let archive = try hf.openWeights()
        #expect(archive.tensorNames == ["a", "b"])
        #expect(try archive.tensor("b").scalars == [2])
        #expect(throws: WeightsError.self) { try HuggingFaceFolder(url: folder.appendingPathComponent("nope")) }
    }
}
