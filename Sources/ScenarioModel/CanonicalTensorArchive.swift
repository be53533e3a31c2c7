import Numerics
import Weights

/// A view of another archive under canonical names: the reference layout without Lightning's `model.` prefix.
/// Tensors outside `prefix` (loss temperatures, EMA copies, …) are not exposed; ``ignoredNames`` lists them.
final class CanonicalTensorArchive: TensorArchive, @unchecked Sendable {
    let base: any TensorArchive
    let prefix: String
    let tensorNames: [String]
    /// Base names outside the prefix (not model weights).
    let ignoredNames: [String]

    init(_ base: any TensorArchive, prefix: String) {
        self.base = base
        self.prefix = prefix
        var names: [String] = []
        var ignored: [String] = []
        for name in base.tensorNames {
            if name.hasPrefix(prefix) { names.append(String(name.dropFirst(prefix.count))) } else { ignored.append(name) }
        }
        tensorNames = names.sorted()
        ignoredNames = ignored
    }

    var sourceDescription: String { base.sourceDescription }

    func info(_ name: String) -> StoredTensorInfo? {
        guard var info = base.info(prefix + name) else { return nil }
        info.name = name
        return info
    }

    func tensor(_ name: String) throws -> Tensor {
        guard base.info(prefix + name) != nil else {
            throw WeightsError.missingTensor(name: prefix + name, source: base.sourceDescription)
        }
        return try base.tensor(prefix + name)
    }
}
