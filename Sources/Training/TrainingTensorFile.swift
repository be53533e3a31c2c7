import Foundation
import Numerics

/// Minimal safetensors reading and writing for training checkpoints and prepared datasets
/// (little-endian; `F32`, `F16`, `I32`, `I64`, `U8`).
struct TrainingTensorFile {
    struct Entry {
        var dtype: String
        var shape: [Int]
        var bytes: Data
    }

    var entries: [String: Entry] = [:]
    var metadata: [String: String] = [:]
    var path: String = "<memory>"

    init() {}

    /// Reads a whole file, checking every offset against the file size.
    init(contentsOf url: URL) throws {
        path = url.path
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        guard data.count >= 8 else { throw TrainingError.malformedFile(path: path, reason: "shorter than 8 bytes") }
        let headerLength = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard headerLength > 0, 8 + headerLength <= data.count else {
            throw TrainingError.malformedFile(path: path, reason: "header length \(headerLength) exceeds file size \(data.count)")
        }
        let headerData = data.subdata(in: 8..<(8 + headerLength))
        guard let header = try JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw TrainingError.malformedFile(path: path, reason: "header is not a JSON object")
        }
        let base = 8 + headerLength
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2,
                  offsets[0] <= offsets[1], base + offsets[1] <= data.count
            else { throw TrainingError.malformedFile(path: path, reason: "bad header entry for '\(name)'") }
            entries[name] = Entry(dtype: dtype, shape: shape, bytes: data.subdata(in: (base + offsets[0])..<(base + offsets[1])))
        }
    }

    private func entry(_ name: String, dtype: String) throws -> Entry {
        guard let e = entries[name] else { throw TrainingError.missingTensor(path: path, name: name) }
        guard e.dtype == dtype || (dtype == "F32" && e.dtype == "F16") else {
            throw TrainingError.tensorMismatch(path: path, name: name, expected: dtype, actual: e.dtype)
        }
        return e
    }

    /// Shape of `name`, or `nil`.
    func shape(_ name: String) -> [Int]? { entries[name]?.shape }

    /// A float tensor (F32, or F16 widened).
    func floats(_ name: String) throws -> [Float] {
        let e = try entry(name, dtype: "F32")
        if e.dtype == "F16" {
            return e.bytes.withUnsafeBytes { raw in
                [Float](unsafeUninitializedCapacity: raw.count / 2) { out, initialized in
                    if let base = raw.baseAddress, let destination = out.baseAddress {
                        HalfFloatConversion.widen(littleEndian: base, count: raw.count / 2, bfloat: false, into: destination)
                    }
                    initialized = raw.count / 2
                }
            }
        }
        return e.bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    func int32s(_ name: String) throws -> [Int32] {
        let e = try entry(name, dtype: "I32")
        return e.bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        }
    }

    func int64s(_ name: String) throws -> [Int64] {
        let e = try entry(name, dtype: "I64")
        return e.bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 8)).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }

    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try entry(name, dtype: "U8").bytes) }

    mutating func set(_ name: String, floats: [Float], shape: [Int], half: Bool = false) {
        var d = Data(capacity: floats.count * (half ? 2 : 4))
        if half {
            floats.withUnsafeBufferPointer { d.append(contentsOf: HalfFloatConversion.narrow(littleEndian: $0, bfloat: false)) }
        } else {
            floats.withUnsafeBufferPointer { p in
                for f in p { withUnsafeBytes(of: f.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
            }
        }
        entries[name] = Entry(dtype: half ? "F16" : "F32", shape: shape, bytes: d)
    }

    mutating func set(_ name: String, uint8s: [UInt8], shape: [Int]) {
        entries[name] = Entry(dtype: "U8", shape: shape, bytes: Data(uint8s))
    }

    mutating func set(_ name: String, int32s: [Int32], shape: [Int]) {
        var d = Data(capacity: int32s.count * 4)
        for v in int32s { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        entries[name] = Entry(dtype: "I32", shape: shape, bytes: d)
    }

    mutating func set(_ name: String, int64s: [Int64], shape: [Int]) {
        var d = Data(capacity: int64s.count * 8)
        for v in int64s { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        entries[name] = Entry(dtype: "I64", shape: shape, bytes: d)
    }

    /// Writes the file (tensors sorted by name) atomically.
    func write(to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = entries.keys.sorted()
        for name in names {
            let e = entries[name]!
            header[name] = ["dtype": e.dtype, "shape": e.shape, "data_offsets": [offset, offset + e.bytes.count]] as [String: Any]
            offset += e.bytes.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names { out.append(entries[name]!.bytes) }
        try out.write(to: url, options: .atomic)
    }
}
