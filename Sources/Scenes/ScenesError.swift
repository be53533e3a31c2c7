import Foundation

/// Errors raised while loading a scene dataset.
public enum ScenesError: Error, CustomStringConvertible, Sendable {
    /// The dataset location does not exist or cannot be listed.
    case unreadableFolder(URL, reason: String)
    /// The folder holds no `metadata*.json` file.
    case noMetadata(URL)
    /// Loading stopped at a problem (``LoadOptions/stopAtFirstProblem``) or a caller required a clean dataset.
    case invalidDataset([DatasetProblem])
    /// A record id asked for does not exist.
    case unknownRecord(id: String)
    /// A dataset file or folder cannot be written.
    case cannotWrite(path: String, reason: String)
    /// A correction does not fit its scene (an index out of range, an empty name, a box outside the picture).
    case invalidCorrection(sceneID: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFolder(let url, let reason):
            return "cannot read dataset at \(url.path): \(reason)"
        case .noMetadata(let url):
            return "no metadata*.json file in \(url.path) (a scene dataset is a folder with metadata*.json and classes.json)"
        case .invalidDataset(let problems):
            let errors = problems.filter { $0.severity == .error }
            let shown = errors.prefix(5).map(\.description).joined(separator: "\n  ")
            let more = errors.count > 5 ? "\n  … and \(errors.count - 5) more" : ""
            return "invalid dataset (\(errors.count) error\(errors.count == 1 ? "" : "s")):\n  \(shown)\(more)"
        case .unknownRecord(let id):
            return "no scene with id \"\(id)\" in the dataset"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .invalidCorrection(let sceneID, let reason):
            return "scene \"\(sceneID)\": \(reason)"
        }
    }
}
