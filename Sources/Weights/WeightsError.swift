/// Errors from reading or writing weight files. Every case names the file and, where it applies, the tensor.
public enum WeightsError: Error, CustomStringConvertible, Equatable {
    case missingTensor(name: String, source: String)
    case shapeMismatch(name: String, expected: [Int], actual: [Int], source: String)
    case unsupportedDType(name: String, dtype: String, source: String)
    case malformed(source: String, reason: String)
    case io(path: String, reason: String)
    /// Tensors present in the file that the model does not use (a checkpoint of another architecture or size).
    case unexpectedTensors(names: [String], source: String)

    public var description: String {
        switch self {
        case .missingTensor(let name, let source):
            "\(source): tensor '\(name)' is missing"
        case .shapeMismatch(let name, let expected, let actual, let source):
            "\(source): tensor '\(name)' has shape \(actual), expected \(expected)"
        case .unsupportedDType(let name, let dtype, let source):
            "\(source): tensor '\(name)' has unsupported dtype \(dtype)"
        case .malformed(let source, let reason):
            "\(source): \(reason)"
        case .io(let path, let reason):
            "\(path): \(reason)"
        case .unexpectedTensors(let names, let source):
            "\(source): \(names.count) unexpected tensor(s): "
                + names.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 5 ? ", ..." : "")
        }
    }
}
