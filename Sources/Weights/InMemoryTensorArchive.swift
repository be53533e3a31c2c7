import Numerics

/// Named tensors held in memory, e.g. freshly initialised weights or tensors about to be written.
public final class InMemoryTensorArchive: TensorArchive, @unchecked Sendable {
    public let sourceDescription: String
    public let tensorNames: [String]
    private let tensors: [String: Tensor]

    /// An archive over `tensors`; `source` names it in errors.
    public init(_ tensors: [String: Tensor], source: String = "in-memory weights") {
        self.tensors = tensors
        self.sourceDescription = source
        tensorNames = tensors.keys.sorted()
    }

    public func info(_ name: String) -> StoredTensorInfo? {
        tensors[name].map { StoredTensorInfo(name: name, dtype: .float32, shape: $0.shape) }
    }

    public func tensor(_ name: String) throws -> Tensor {
        guard let tensor = tensors[name] else { throw WeightsError.missingTensor(name: name, source: sourceDescription) }
        return tensor
    }

    /// Total bytes of all tensors as `Float32`.
    public var byteCount: Int { tensors.values.reduce(0) { $0 + $1.count * MemoryLayout<Float>.stride } }
}
