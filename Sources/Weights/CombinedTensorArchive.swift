import Numerics

/// Several archives seen as one (for example the shards of a Hugging Face `model.safetensors.index.json`).
public final class CombinedTensorArchive: TensorArchive, @unchecked Sendable {
    /// The parts, in the order given.
    public let parts: [any TensorArchive]
    public let tensorNames: [String]
    private let owner: [String: Int]

    /// Joins `parts`; a name present in two parts is an error.
    /// - Throws: ``WeightsError/malformed(source:reason:)`` naming the duplicated tensor.
    public init(_ parts: [any TensorArchive]) throws {
        var owner: [String: Int] = [:]
        for (index, part) in parts.enumerated() {
            for name in part.tensorNames {
                if let previous = owner[name] {
                    throw WeightsError.malformed(
                        source: part.sourceDescription,
                        reason: "tensor '\(name)' is also in \(parts[previous].sourceDescription)")
                }
                owner[name] = index
            }
        }
        self.parts = parts
        self.owner = owner
        tensorNames = owner.keys.sorted()
    }

    public var sourceDescription: String { parts.map(\.sourceDescription).joined(separator: " + ") }

    public func info(_ name: String) -> StoredTensorInfo? {
        owner[name].flatMap { parts[$0].info(name) }
    }

    public func tensor(_ name: String) throws -> Tensor {
        guard let index = owner[name] else { throw WeightsError.missingTensor(name: name, source: sourceDescription) }
        return try parts[index].tensor(name)
    }
}
