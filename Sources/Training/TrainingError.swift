/// Errors of the Training module.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A file is not a readable safetensors file.
    case malformedFile(path: String, reason: String)
    /// A tensor is missing from a file.
    case missingTensor(path: String, name: String)
    /// A tensor has the wrong element type or shape.
    case tensorMismatch(path: String, name: String, expected: String, actual: String)
    /// A dataset cannot be trained on.
    case invalidDataset(String)
    /// A checkpoint does not fit the run being resumed.
    case incompatibleCheckpoint(path: String, reason: String)
    /// A checkpoint, model or prepared dataset cannot be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformedFile(let path, let reason): "\(path): not a valid safetensors file: \(reason)"
        case .missingTensor(let path, let name): "\(path): tensor '\(name)' is missing"
        case .tensorMismatch(let path, let name, let expected, let actual):
            "\(path): tensor '\(name)' is \(actual), expected \(expected)"
        case .invalidDataset(let reason): "dataset cannot be trained on: \(reason)"
        case .incompatibleCheckpoint(let path, let reason): "\(path): cannot resume from this checkpoint: \(reason)"
        case .cannotWrite(let path, let reason): "\(path): cannot write: \(reason)"
        }
    }
}
