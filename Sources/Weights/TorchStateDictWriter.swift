import Foundation
import Numerics

/// Writes a PyTorch state dict file (`torch.save(OrderedDict)` zip layout) that
/// `torch.load(path, weights_only=True)` reads and `load_state_dict(..., strict=True)` accepts.
///
/// Layout: `archive/data.pkl` (protocol-2 pickle of an `OrderedDict` of `_rebuild_tensor_v2` calls),
/// `archive/byteorder` (`little`), `archive/data/<i>` (raw little-endian storage of tensor *i*, 64-byte
/// aligned), `archive/version` (`3`). Tensors are written one at a time, so memory stays at one tensor.
public struct TorchStateDictWriter: Sendable {
    /// Names and shapes of the tensors to write, in file order.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
    }

    /// Storage type written: `.float32` (default), `.float16` or `.bfloat16`.
    public var dtype: StoredDType
    /// Top folder inside the zip (PyTorch uses `archive`).
    public var archiveName: String
    /// Always write ZIP64 records (used by tests; large files get them automatically).
    var forceZip64 = false

    /// A writer storing `dtype` elements.
    /// - Precondition: `dtype` is `.float32`, `.float16` or `.bfloat16`.
    public init(dtype: StoredDType = .float32, archiveName: String = "archive") {
        precondition([.float32, .float16, .bfloat16].contains(dtype), "state dicts are written as f32, f16 or bf16")
        self.dtype = dtype
        self.archiveName = archiveName
    }

    /// Writes `tensors` (in order) to `url`.
    /// - Throws: ``WeightsError/io(path:reason:)`` when the file cannot be written.
    public func write(_ tensors: [(name: String, tensor: Tensor)], to url: URL) throws {
        try write(entries: tensors.map { Entry(name: $0.name, shape: $0.tensor.shape) }, to: url) { tensors[$0].tensor }
    }

    /// Writes every tensor of `archive` (sorted by name) to `url`.
    public func write(_ archive: any TensorArchive, to url: URL) throws {
        let names = archive.tensorNames
        let entries = try names.map { name -> Entry in
            guard let info = archive.info(name) else {
                throw WeightsError.missingTensor(name: name, source: archive.sourceDescription)
            }
            return Entry(name: name, shape: info.shape)
        }
        try write(entries: entries, to: url) { try archive.tensor(names[$0]) }
    }

    /// Streaming form: `tensor(i)` is asked for entry *i* only when it is written, and dropped after.
    /// - Throws: ``WeightsError/shapeMismatch(name:expected:actual:source:)`` when a provided tensor does not
    ///   have its entry's shape; ``WeightsError/io(path:reason:)`` on write failure.
    public func write(entries: [Entry], to url: URL, tensor: (Int) throws -> Tensor) throws {
        let storageClass: String
        switch dtype {
        case .float16: storageClass = "HalfStorage"
        case .bfloat16: storageClass = "BFloat16Storage"
        default: storageClass = "FloatStorage"
        }
        var pickle = PickleWriter()
        pickle.writeStateDict(entries.map { ($0.name, $0.shape) }, storageClass: storageClass)
        let zip = try ZipStreamWriter(url: url, forceZip64: forceZip64)
        try pickle.bytes.withUnsafeBytes { try zip.add(name: "\(archiveName)/data.pkl", data: $0) }
        try Array("little".utf8).withUnsafeBytes { try zip.add(name: "\(archiveName)/byteorder", data: $0) }
        for (i, entry) in entries.enumerated() {
            let t = try tensor(i)
            guard t.shape == entry.shape else {
                throw WeightsError.shapeMismatch(name: entry.name, expected: entry.shape, actual: t.shape, source: url.path)
            }
            try t.withUnsafeBufferPointer { values in
                switch dtype {
                case .float32:
                    try zip.add(name: "\(archiveName)/data/\(i)", data: UnsafeRawBufferPointer(values))
                case .float16, .bfloat16:
                    let bytes = HalfFloatConversion.narrow(littleEndian: values, bfloat: dtype == .bfloat16)
                    try bytes.withUnsafeBytes { try zip.add(name: "\(archiveName)/data/\(i)", data: $0) }
                default:
                    preconditionFailure("unreachable: dtype checked in init")
                }
            }
        }
        try Array("3\n".utf8).withUnsafeBytes { try zip.add(name: "\(archiveName)/version", data: $0) }
        try zip.finish()
    }
}
