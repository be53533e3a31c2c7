import Foundation

/// One thing wrong with a dataset, located as precisely as the loader can.
public struct DatasetProblem: Sendable, Hashable, CustomStringConvertible, Codable {
    /// How bad a problem is.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        /// The dataset can still be used; the affected value is clamped or ignored.
        case warning
        /// The record (or file) is unusable or inconsistent.
        case error

        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
    }

    /// File the problem is in (metadata, `classes.json`, or an image), or `nil` for the dataset folder.
    public var file: URL?
    /// Position of the record in its file's `data` array, when the problem belongs to a record.
    public var recordIndex: Int?
    /// The record's id, when known.
    public var recordID: String?
    /// Field path inside the record (or file), e.g. `objects[2][1]`.
    public var field: String?
    /// 1-based line and column for JSON syntax errors.
    public var line: Int?
    public var column: Int?
    /// What is wrong, in words.
    public var message: String
    public var severity: Severity

    public init(
        file: URL?, recordIndex: Int? = nil, recordID: String? = nil, field: String? = nil,
        line: Int? = nil, column: Int? = nil, message: String, severity: Severity = .error
    ) {
        self.file = file
        self.recordIndex = recordIndex
        self.recordID = recordID
        self.field = field
        self.line = line
        self.column = column
        self.message = message
        self.severity = severity
    }

    /// `metadata.json:3:14: error: …` or `metadata.json record #4 (id "17") objects[2][1]: error: …`.
    public var description: String {
        var where_ = file?.lastPathComponent ?? "dataset"
        if let line {
            where_ += ":\(line)"
            if let column { where_ += ":\(column)" }
        }
        if let recordIndex {
            where_ += " record #\(recordIndex)"
            if let recordID { where_ += " (id \"\(recordID)\")" }
        } else if let recordID {
            where_ += " (id \"\(recordID)\")"
        }
        if let field { where_ += " \(field)" }
        return "\(where_): \(severity.rawValue): \(message)"
    }
}
