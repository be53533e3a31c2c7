/// Errors raised by the scene generator and the dataset writer.
public enum GeneratorError: Error, CustomStringConvertible, Equatable {
    case imageTooSmall(width: Int, height: Int)
    case invalidSize(String)
    case outputNotEmpty(path: String)
    case cannotWrite(path: String, reason: String)
    case noComposition(index: Int, target: String)

    public var description: String {
        switch self {
        case .imageTooSmall(let w, let h):
            return "image size \(w)x\(h) is too small for the scenes; use at least \(SceneGenerator.minimumWidth)x\(SceneGenerator.minimumHeight)"
        case .invalidSize(let text):
            return "invalid size '\(text)': expected WIDTHxHEIGHT, e.g. 256x192"
        case .outputNotEmpty(let path):
            return "output folder '\(path)' is not empty; pass --force to overwrite it"
        case .cannotWrite(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        case .noComposition(let index, let target):
            return "scene \(index): found no layout holding '\(target)' that fits the image; try a larger size"
        }
    }
}
