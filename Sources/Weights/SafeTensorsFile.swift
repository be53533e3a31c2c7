import Foundation
import Numerics

/// A `.safetensors` file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then the data.
///
/// Opening validates the whole header against the file size, so a truncated or corrupt file fails at once with
/// an error naming the file and tensor. `F32` tensors are returned without copying (borrowing the mapping, which
/// stays alive as long as any tensor uses it); `F16`, `BF16` and `F64` are converted to `Float32` on access.
public final class SafeTensorsFile: TensorArchive, @unchecked Sendable {
    /// Where one tensor's bytes sit inside the data section.
    struct Entry {
        var info: StoredTensorInfo
        var byteRange: Range<Int>
    }

    /// The file path.
    public let path: String
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    public let tensorNames: [String]
    private let entries: [String: Entry]
    private let mapping: SafeTensorsMapping
    private let dataStart: Int

    public var sourceDescription: String { path }

    /// Maps and validates the file at `url`.
    /// - Throws: ``WeightsError`` for an unreadable file (`io`), a bad header or out-of-range data (`malformed`,
    ///   naming the tensor), or an unknown dtype (`unsupportedDType`).
    public convenience init(url: URL) throws {
        try self.init(path: url.path)
    }

    /// Maps and validates the file at `path`; see ``init(url:)``.
    public init(path: String) throws {
        self.path = path
        mapping = try SafeTensorsMapping(path: path)
        let size = mapping.size
        guard size >= 8, let base = mapping.base else {
            throw WeightsError.malformed(source: path, reason: "file is \(size) bytes, too short for a safetensors header")
        }
        let headerLength = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(size - 8) else {
            throw WeightsError.malformed(
                source: path, reason: "header length \(headerLength) runs past the end of the \(size)-byte file")
        }
        dataStart = 8 + Int(headerLength)
        let headerBytes = Data(bytes: base + 8, count: Int(headerLength))
        (entries, metadata) = try Self.parseHeader(headerBytes, dataLength: size - dataStart, path: path)
        tensorNames = entries.keys.sorted()
    }

    public func info(_ name: String) -> StoredTensorInfo? { entries[name]?.info }

    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = entries[name] else { throw WeightsError.missingTensor(name: name, source: path) }
        let count = entry.info.elementCount
        let start = mapping.base! + dataStart + entry.byteRange.lowerBound
        switch entry.info.dtype {
        case .float32:
            if Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
                let storage = TensorStorage(
                    borrowing: start.assumingMemoryBound(to: Float.self), count: count, owner: mapping)
                return Tensor(shape: entry.info.shape, storage: storage)
            }
            return Tensor(shape: entry.info.shape) { out in
                for i in 0..<count { out[i] = start.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
            }
        case .float16, .bfloat16:
            return Tensor(shape: entry.info.shape) { out in
                HalfFloatConversion.widen(
                    littleEndian: start, count: count, bfloat: entry.info.dtype == .bfloat16, into: out.baseAddress!)
            }
        case .float64:
            return Tensor(shape: entry.info.shape) { out in
                for i in 0..<count { out[i] = Float(start.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
            }
        default:
            throw WeightsError.unsupportedDType(name: name, dtype: entry.info.dtype.rawValue, source: path)
        }
    }

    /// The stored bytes of `name` (little-endian elements), which must be stored as `dtype`: how integer and byte
    /// arrays are read (``tensor(_:)`` reads the float ones).
    /// - Throws: ``WeightsError/missingTensor(name:source:)``, or ``WeightsError/malformed(source:reason:)`` when it
    ///   is stored as another dtype.
    public func elements(_ name: String, as dtype: StoredDType) throws -> Data {
        guard let entry = entries[name] else { throw WeightsError.missingTensor(name: name, source: path) }
        guard entry.info.dtype == dtype else {
            throw WeightsError.malformed(
                source: path, reason: "tensor '\(name)' is stored as \(entry.info.dtype.rawValue), expected \(dtype.rawValue)")
        }
        return Data(UnsafeRawBufferPointer(start: mapping.base! + dataStart + entry.byteRange.lowerBound,
                                           count: entry.byteRange.count))
    }

    /// Parses and checks the JSON header: every tensor's dtype, shape and byte range must be consistent and lie
    /// inside the `dataLength`-byte data section.
    static func parseHeader(
        _ bytes: Data, dataLength: Int, path: String
    ) throws -> (entries: [String: Entry], metadata: [String: String]) {
        try checkStructure(bytes, path: path)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: bytes)
        } catch {
            throw WeightsError.malformed(source: path, reason: "header is not valid JSON (\(error.localizedDescription))")
        }
        guard let header = json as? [String: Any] else {
            throw WeightsError.malformed(source: path, reason: "header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw WeightsError.malformed(source: path, reason: "__metadata__ is not an object")
                }
                for (key, item) in map {
                    guard let text = item as? String else {
                        throw WeightsError.malformed(source: path, reason: "__metadata__ value '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries[name] = try parseEntry(name: name, value: value, dataLength: dataLength, path: path)
        }
        // Every byte of the data section belongs to at most one tensor: aliased or overlapping ranges are refused.
        let ordered = entries.filter { !$0.value.byteRange.isEmpty }.sorted { $0.value.byteRange.lowerBound < $1.value.byteRange.lowerBound }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound {
            throw WeightsError.malformed(
                source: path,
                reason: "tensors '\(previous.key)' \(previous.value.byteRange) and '\(next.key)' \(next.value.byteRange) overlap in the data section")
        }
        return (entries, metadata)
    }

    /// The deepest JSON nesting a header may have (a real header nests 3 deep).
    static let maxHeaderDepth = 64

    /// Scans the header's JSON without building it: nesting at most ``maxHeaderDepth`` deep (so no parser
    /// recurses without bound) and no tensor name twice at the top level (a JSON parser would keep only one).
    private static func checkStructure(_ bytes: Data, path: String) throws {
        var depth = 0
        var inString = false
        var escaped = false
        var keyStart: Int?
        var lastString: Data?
        var seen = Set<Data>()
        for (i, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 {
                    inString = false
                    if depth == 1, let start = keyStart { lastString = bytes.subdata(in: (bytes.startIndex + start)..<(bytes.startIndex + i)) }
                    keyStart = nil
                }
                continue
            }
            switch byte {
            case 0x22:
                inString = true
                keyStart = i + 1
            case 0x7B, 0x5B:
                depth += 1
                guard depth <= maxHeaderDepth else {
                    throw WeightsError.malformed(source: path, reason: "header nests JSON more than \(maxHeaderDepth) deep")
                }
            case 0x7D, 0x5D: depth -= 1
            case 0x3A:  // ':' after a top-level key
                if depth == 1, let key = lastString, !seen.insert(key).inserted {
                    throw WeightsError.malformed(
                        source: path, reason: "header names '\(String(decoding: key, as: UTF8.self))' twice")
                }
                lastString = nil
            default: break
            }
        }
    }

    private static func parseEntry(name: String, value: Any, dataLength: Int, path: String) throws -> Entry {
        func bad(_ reason: String) -> WeightsError {
            .malformed(source: path, reason: "tensor '\(name)': \(reason)")
        }
        guard let fields = value as? [String: Any] else { throw bad("header entry is not an object") }
        guard let dtypeName = fields["dtype"] as? String else { throw bad("missing dtype") }
        guard let dtype = StoredDType(rawValue: dtypeName) else {
            throw WeightsError.unsupportedDType(name: name, dtype: dtypeName, source: path)
        }
        guard let shape = integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw bad("shape is not a list of non-negative integers")
        }
        guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
            throw bad("data_offsets is not a pair of integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end else { throw bad("data_offsets [\(begin), \(end)] are not ordered") }
        guard end <= dataLength else {
            throw bad("data_offsets [\(begin), \(end)] run past the end of the data (\(dataLength) bytes; file truncated?)")
        }
        let (elements, overflow) = shape.reduce((1, false)) { acc, d in
            let (product, o) = acc.0.multipliedReportingOverflow(by: d)
            return (product, acc.1 || o)
        }
        guard !overflow, elements.multipliedReportingOverflow(by: dtype.byteSize).partialValue == end - begin,
            !elements.multipliedReportingOverflow(by: dtype.byteSize).overflow
        else {
            throw bad("\(end - begin) bytes do not hold shape \(shape) of \(dtype.rawValue)")
        }
        return Entry(info: StoredTensorInfo(name: name, dtype: dtype, shape: shape), byteRange: begin..<end)
    }

    /// `value` as a list of exact integers (JSON numbers without fraction), or `nil`.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in list {
            guard let number = item as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 9e15 else { return nil }
            result.append(number.intValue)
        }
        return result
    }
}
