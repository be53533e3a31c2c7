import Foundation
import Numerics
import Weights

/// Training checkpoints and prepared datasets as safetensors files, read and written by Weights'
/// ``Weights/SafeTensorsFile`` and ``Weights/SafeTensorsWriter`` (the one safetensors path of the package, with its
/// checks on hostile headers); this type names its errors in training's terms (``TrainingError``) and keeps the
/// arrays training stores: float32 or float16 tensors, int32 and int64 ids, uint8 pictures.
struct TrainingTensorFile {
    private var reader: SafeTensorsFile?
    private var writer = SafeTensorsWriter()
    /// The file's `__metadata__` (read from it, or to be written).
    var metadata: [String: String] = [:]
    var path: String = "<memory>"

    init() {}

    /// Opens a file (mapped, every offset checked against its size).
    /// - Throws: ``TrainingError/malformedFile(path:reason:)``.
    init(contentsOf url: URL) throws {
        path = url.path
        do {
            let file = try SafeTensorsFile(url: url)
            reader = file
            metadata = file.metadata
        } catch let error as WeightsError {
            throw TrainingError.malformedFile(path: url.path, reason: Self.reason(error, path: url.path))
        }
    }

    /// `error`'s text without the file name it starts with (the training error names it).
    static func reason(_ error: WeightsError, path: String) -> String {
        let text = "\(error)"
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }

    /// Shape of `name`, or `nil`.
    func shape(_ name: String) -> [Int]? { reader?.info(name)?.shape }

    private func file(_ name: String, accepting dtypes: [StoredDType]) throws -> SafeTensorsFile {
        guard let reader, let info = reader.info(name) else { throw TrainingError.missingTensor(path: path, name: name) }
        guard dtypes.contains(info.dtype) else {
            throw TrainingError.tensorMismatch(path: path, name: name, expected: dtypes[0].rawValue, actual: info.dtype.rawValue)
        }
        return reader
    }

    private func read<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch let error as WeightsError {
            throw TrainingError.malformedFile(path: path, reason: Self.reason(error, path: path))
        }
    }

    /// A float tensor (F32, or F16 widened).
    func floats(_ name: String) throws -> [Float] {
        let file = try file(name, accepting: [.float32, .float16])
        return try read { try file.tensor(name).scalars }
    }

    private func integers<T: FixedWidthInteger>(_ name: String, _ dtype: StoredDType, as: T.Type) throws -> [T] {
        let file = try file(name, accepting: [dtype])
        let data = try read { try file.elements(name, as: dtype) }
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / MemoryLayout<T>.size)).map {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))
            }
        }
    }

    func int32s(_ name: String) throws -> [Int32] { try integers(name, .int32, as: Int32.self) }

    func int64s(_ name: String) throws -> [Int64] { try integers(name, .int64, as: Int64.self) }

    func bytes(_ name: String) throws -> [UInt8] {
        let file = try file(name, accepting: [.uint8])
        return [UInt8](try read { try file.elements(name, as: .uint8) })
    }

    private mutating func add(_ name: String, _ work: (inout SafeTensorsWriter) throws -> Void) throws {
        do { try work(&writer) } catch let error as WeightsError {
            throw TrainingError.cannotWrite(path: path, reason: Self.reason(error, path: "safetensors writer"))
        }
    }

    /// Adds a float32 tensor.
    mutating func set(_ name: String, floats: [Float], shape: [Int]) throws {
        try add(name) { try $0.add(name, Tensor(shape: shape, values: floats)) }
    }

    mutating func set(_ name: String, uint8s: [UInt8], shape: [Int]) throws {
        try add(name) { try $0.add(name, elements: Data(uint8s), dtype: .uint8, shape: shape) }
    }

    mutating func set(_ name: String, int32s: [Int32], shape: [Int]) throws {
        let data = int32s.map(\.littleEndian).withUnsafeBytes { Data($0) }
        try add(name) { try $0.add(name, elements: data, dtype: .int32, shape: shape) }
    }

    mutating func set(_ name: String, int64s: [Int64], shape: [Int]) throws {
        let data = int64s.map(\.littleEndian).withUnsafeBytes { Data($0) }
        try add(name) { try $0.add(name, elements: data, dtype: .int64, shape: shape) }
    }

    /// Writes the tensors set (sorted by name) and the metadata, through a temporary file renamed into place.
    /// - Throws: ``TrainingError/cannotWrite(path:reason:)``.
    func write(to url: URL) throws {
        var writer = self.writer
        writer.metadata = metadata
        do { try writer.write(to: url) } catch let error as WeightsError {
            throw TrainingError.cannotWrite(path: url.path, reason: Self.reason(error, path: url.path))
        }
    }
}
