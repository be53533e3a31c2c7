import Numerics

/// Element types a weights file may store.
public enum StoredDType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case float64 = "F64"
    case int64 = "I64"
    case int32 = "I32"
    case int8 = "I8"
    case uint8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16: 2
        case .int8, .uint8, .bool: 1
        }
    }
}

/// What an archive knows about one stored tensor without reading it.
public struct StoredTensorInfo: Sendable, Equatable {
    /// Full key, e.g. `vision_model.encoder.layers.0.mlp.fc1.weight`.
    public var name: String
    public var dtype: StoredDType
    public var shape: [Int]

    public init(name: String, dtype: StoredDType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A read-only collection of named tensors (a safetensors file, a PyTorch state dict, ...).
///
/// Implementations memory-map where they can: `float32` tensors are returned without copying,
/// `float16`/`bfloat16` are converted to `Float32` on access.
public protocol TensorArchive: AnyObject, Sendable {
    /// Human-readable origin used in error messages (usually a file path).
    var sourceDescription: String { get }
    /// Every tensor name, sorted.
    var tensorNames: [String] { get }
    /// Metadata of `name`, or `nil` when the archive has no such tensor.
    func info(_ name: String) -> StoredTensorInfo?
    /// The tensor `name` as `Float32`.
    /// - Throws: ``WeightsError`` naming the tensor when it is missing or cannot be read.
    func tensor(_ name: String) throws -> Tensor
}
