/// Errors from indexing, searching and evaluating a scene dataset.
public enum SceneWorkspaceError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case notIndexed(level: String, hint: String)
    case unknownScene(String)
    case noClasses(level: String)
    case emptySplit(String)
    case embedding(item: String, reason: String)
    case outputNotEmpty(String)
    case cannotWrite(path: String, reason: String)
    /// A scene's picture cannot be read (an export needs its size).
    case unreadablePicture(sceneID: String, path: String, reason: String)
    /// The lock that keeps two index runs on one cache apart cannot be taken.
    case cacheBusy(String, detail: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "\(path): file not found"
        case .notIndexed(let level, let hint): "no \(level)-level embeddings are cached for this model; \(hint)"
        case .unknownScene(let id): "no scene with id '\(id)' in the dataset"
        case .noClasses(let level): "the dataset lists no \(level) classes (classes.json)"
        case .emptySplit(let split): "the \(split) split holds no scenes"
        case .embedding(let item, let reason): "\(item): \(reason)"
        case .outputNotEmpty(let path): "\(path) exists and is not empty (use --force to replace it)"
        case .cannotWrite(let path, let reason): "\(path): cannot write: \(reason)"
        case .unreadablePicture(let id, let path, let reason): "scene \(id): picture \(path) cannot be read: \(reason)"
        case .cacheBusy(let path, let detail): "cannot index into \(path): \(detail); give a writable location with --cache"
        }
    }
}
