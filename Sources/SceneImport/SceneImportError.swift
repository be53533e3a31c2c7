import Foundation

/// Errors of the importers; each message names the file, the record (image id or key) and the field.
public enum SceneImportError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A source file cannot be read.
    case unreadable(file: String, reason: String)
    /// A source file is not the JSON (or pickle) its format publishes.
    case malformed(file: String, detail: String)
    /// One field of one record is missing or has the wrong kind of value.
    case badField(file: String, record: String, field: String, detail: String)
    /// A picture listed by the source is not in any picture folder (fatal only with `--strict`).
    case missingPicture(file: String, record: String, picture: String)
    /// The source holds no scene that could be imported.
    case nothingImported(file: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .malformed(let file, let detail): return "\(file): \(detail)"
        case .badField(let file, let record, let field, let detail):
            return "\(file): record \(record): field \(field): \(detail)"
        case .missingPicture(let file, let record, let picture):
            return "\(file): record \(record): picture \(picture) is in none of the picture folders"
        case .nothingImported(let file, let detail): return "\(file): nothing imported: \(detail)"
        }
    }

    public var errorDescription: String? { description }
}
