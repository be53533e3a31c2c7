import Foundation
import Numerics

/// Collects named tensors and writes them as one `.safetensors` file (float tensors stored as `F32`, `F16` or `BF16`;
/// integer and byte arrays as they are; an optional `__metadata__` string map), readable by ``SafeTensorsFile`` and
/// by the Python `safetensors` package.
public struct SafeTensorsWriter {
    private enum Item {
        /// A float tensor, converted to `dtype` when written.
        case tensor(Tensor, StoredDType)
        /// Little-endian elements of `dtype` written as they are.
        case elements(Data, StoredDType, shape: [Int])

        var shape: [Int] {
            switch self {
            case .tensor(let tensor, _): tensor.shape
            case .elements(_, _, let shape): shape
            }
        }

        var dtype: StoredDType {
            switch self {
            case .tensor(_, let dtype), .elements(_, let dtype, _): dtype
            }
        }

        var byteCount: Int {
            switch self {
            case .tensor(let tensor, let dtype): tensor.count * dtype.byteSize
            case .elements(let data, _, _): data.count
            }
        }
    }

    /// Strings stored under `__metadata__` in the header.
    public var metadata: [String: String]
    private var items: [String: Item] = [:]

    /// An empty writer with the given metadata.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Names added so far, sorted (also the order of the data in the file).
    public var tensorNames: [String] { items.keys.sorted() }

    /// Adds `tensor` under `name`, to be stored as `dtype` (`.float32`, `.float16` or `.bfloat16`; 16-bit formats
    /// round to nearest even). Keeps a reference, no copy.
    /// - Throws: ``WeightsError/unsupportedDType(name:dtype:source:)`` for other dtypes,
    ///   ``WeightsError/malformed(source:reason:)`` for an empty, reserved or duplicate name.
    public mutating func add(_ name: String, _ tensor: Tensor, as dtype: StoredDType = .float32) throws {
        guard [.float32, .float16, .bfloat16].contains(dtype) else {
            throw WeightsError.unsupportedDType(name: name, dtype: dtype.rawValue, source: "safetensors writer")
        }
        try insert(name, .tensor(tensor, dtype))
    }

    /// Adds `elements`, the little-endian bytes of a `dtype` array of `shape` (`.int32`, `.int64`, `.int8`, `.uint8`
    /// or `.bool`), written as they are.
    /// - Throws: ``WeightsError/unsupportedDType(name:dtype:source:)`` for a float dtype (add a ``Numerics/Tensor``),
    ///   ``WeightsError/malformed(source:reason:)`` when the bytes do not hold `shape` or for a bad or duplicate name.
    public mutating func add(_ name: String, elements: Data, dtype: StoredDType, shape: [Int]) throws {
        guard [.int32, .int64, .int8, .uint8, .bool].contains(dtype) else {
            throw WeightsError.unsupportedDType(name: name, dtype: dtype.rawValue, source: "safetensors writer")
        }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: max($1, 0)).partialValue }
        guard shape.allSatisfy({ $0 >= 0 }), count.multipliedReportingOverflow(by: dtype.byteSize) == (elements.count, false)
        else {
            throw WeightsError.malformed(
                source: "safetensors writer", reason: "\(elements.count) bytes do not hold '\(name)' of shape \(shape) as \(dtype.rawValue)")
        }
        try insert(name, .elements(elements, dtype, shape: shape))
    }

    private mutating func insert(_ name: String, _ item: Item) throws {
        guard !name.isEmpty, name != "__metadata__" else {
            throw WeightsError.malformed(source: "safetensors writer", reason: "invalid tensor name '\(name)'")
        }
        guard items[name] == nil else {
            throw WeightsError.malformed(source: "safetensors writer", reason: "tensor '\(name)' added twice")
        }
        items[name] = item
    }

    /// The header bytes (length prefix, JSON, space padding to a multiple of 8) for the current contents.
    func header() throws -> Data {
        var object: [String: Any] = [:]
        var offset = 0
        for name in tensorNames {
            let item = items[name]!
            let bytes = item.byteCount
            object[name] = [
                "dtype": item.dtype.rawValue, "shape": item.shape, "data_offsets": [offset, offset + bytes],
            ] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { object["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var result = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { result.append(contentsOf: $0) }
        result.append(json)
        return result
    }

    /// Writes the file to `url` (through a temporary file in the same folder, renamed into place).
    /// - Throws: ``WeightsError/io(path:reason:)`` when the file cannot be written.
    public func write(to url: URL) throws {
        let path = url.path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw WeightsError.io(path: path, reason: "cannot create \(temporary.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: header())
            for name in tensorNames {
                try handle.write(contentsOf: Self.encode(items[name]!))
            }
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WeightsError.io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
        if rename(temporary.path, path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw WeightsError.io(path: path, reason: "cannot move \(temporary.path) into place")
        }
    }

    /// The little-endian bytes of one tensor in its stored dtype.
    private static func encode(_ item: Item) -> Data {
        guard case .tensor(let tensor, let dtype) = item else {
            if case .elements(let data, _, _) = item { return data }
            return Data()
        }
        return tensor.withUnsafeBufferPointer { values in
            switch dtype {
            case .float16, .bfloat16:
                return Data(HalfFloatConversion.narrow(littleEndian: values, bfloat: dtype == .bfloat16))
            default:
                var data = Data(count: values.count * 4)
                data.withUnsafeMutableBytes { raw in
                    for i in 0..<values.count {
                        raw.storeBytes(of: values[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                    }
                }
                return data
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
