import Numerics

/// Reads the tensors a model needs from an archive, checking each one's shape and remembering which were used,
/// so that leftovers ("extra tensors" from a mismatched checkpoint) can be reported by name.
public final class TensorLoader {
    /// The archive read from.
    public let archive: any TensorArchive
    /// Prepended to every requested name.
    public let prefix: String
    private(set) var used: Set<String> = []

    /// A loader over the tensors of `archive` under `prefix`.
    public init(_ archive: any TensorArchive, prefix: String = "") {
        self.archive = archive
        self.prefix = prefix
    }

    /// The tensor `prefix + name`, which must have exactly `shape`.
    /// - Throws: ``WeightsError/missingTensor(name:source:)`` or ``WeightsError/shapeMismatch(name:expected:actual:source:)``
    ///   naming the full key, or a read error from the archive.
    public func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        let key = prefix + name
        guard let info = archive.info(key) else {
            throw WeightsError.missingTensor(name: key, source: archive.sourceDescription)
        }
        guard info.shape == shape else {
            throw WeightsError.shapeMismatch(name: key, expected: shape, actual: info.shape, source: archive.sourceDescription)
        }
        used.insert(key)
        return try archive.tensor(key)
    }

    /// Whether the archive holds `prefix + name`.
    public func contains(_ name: String) -> Bool {
        archive.info(prefix + name) != nil
    }

    /// Marks `prefix + name` as accounted for without reading it (buffers such as `position_ids`).
    public func ignore(_ name: String) {
        if contains(name) { used.insert(prefix + name) }
    }

    /// Throws when any tensor under `prefix` was neither read nor ignored.
    /// - Throws: ``WeightsError/unexpectedTensors(names:source:)`` listing them.
    public func checkAllUsed() throws {
        let leftovers = archive.tensorNames.filter { $0.hasPrefix(prefix) && !used.contains($0) }
        if !leftovers.isEmpty {
            throw WeightsError.unexpectedTensors(names: leftovers, source: archive.sourceDescription)
        }
    }
}
