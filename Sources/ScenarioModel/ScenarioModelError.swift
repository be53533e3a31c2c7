/// Errors from detecting, loading, converting and running ScenarioCLIP models. Messages name the file and key.
public enum ScenarioModelError: Error, CustomStringConvertible, Equatable {
    /// The tensor names match no known layout (ScenarioCLIP three-level, one-level, Hugging Face CLIP).
    case unknownArchitecture(source: String, sample: [String])
    /// Tensors the architecture needs are absent.
    case missingKeys(source: String, names: [String])
    /// Tensors the architecture does not use are present (under the model's prefix).
    case unexpectedKeys(source: String, names: [String])
    /// A tower's shape could not be inferred, or a config/sidecar value is inconsistent.
    case invalidConfig(source: String, reason: String)
    /// The path is not a format the loader reads.
    case unsupportedFile(path: String, reason: String)
    /// Input that does not fit the model (token ids, pixels).
    case invalidInput(String)

    public var description: String {
        func list(_ names: [String]) -> String {
            names.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 8 ? ", … (\(names.count) in all)" : "")
        }
        switch self {
        case .unknownArchitecture(let source, let sample):
            return "\(source): not a ScenarioCLIP or CLIP checkpoint; no known key layout among \(list(sample))"
        case .missingKeys(let source, let names):
            return "\(source): \(names.count) missing tensor(s): \(list(names))"
        case .unexpectedKeys(let source, let names):
            return "\(source): \(names.count) unexpected tensor(s): \(list(names))"
        case .invalidConfig(let source, let reason):
            return "\(source): \(reason)"
        case .unsupportedFile(let path, let reason):
            return "\(path): \(reason)"
        case .invalidInput(let reason):
            return reason
        }
    }
}
