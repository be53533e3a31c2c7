import Numerics

/// The tensors of another archive whose names start with `prefix`, seen with the prefix removed — so a tower can
/// load `encoder.layers.0...` from `model.global_visual_encoder.vision_model.encoder.layers.0...`.
///
/// Errors still name the full key and the underlying file.
public final class ScopedTensorArchive: TensorArchive, @unchecked Sendable {
    /// The archive read through.
    public let base: any TensorArchive
    /// Prepended to every name before looking it up in `base`.
    public let prefix: String
    public let tensorNames: [String]

    /// A view of `base` under `prefix` (an empty prefix shows everything).
    public init(_ base: any TensorArchive, prefix: String) {
        self.base = base
        self.prefix = prefix
        tensorNames = base.tensorNames.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    public var sourceDescription: String { base.sourceDescription }

    public func info(_ name: String) -> StoredTensorInfo? {
        guard var info = base.info(prefix + name) else { return nil }
        info.name = name
        return info
    }

    public func tensor(_ name: String) throws -> Tensor {
        try base.tensor(prefix + name)
    }
}

extension TensorArchive {
    /// The tensors under `prefix`, with the prefix removed from their names (see ``ScopedTensorArchive``).
    public func scoped(_ prefix: String) -> ScopedTensorArchive {
        ScopedTensorArchive(self, prefix: prefix)
    }
}
