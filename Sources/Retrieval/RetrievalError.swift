/// Errors from vector search and query expressions.
public enum RetrievalError: Error, CustomStringConvertible, Equatable {
    /// A vector's length does not match the index dimension.
    case dimensionMismatch(expected: Int, actual: Int, what: String)
    /// A stored or query vector has zero (or non-finite) length and cannot be normalised.
    case degenerateVector(what: String)
    /// A query expression could not be parsed; `column` is 1-based.
    case syntax(message: String, column: Int, expression: String)
    /// This CPU cannot run the int8 kernel `name`; `supported` lists the ones it can.
    case unsupportedKernel(name: String, supported: [String])

    public var description: String {
        switch self {
        case .dimensionMismatch(let expected, let actual, let what):
            return "\(what) has \(actual) values, expected \(expected)"
        case .degenerateVector(let what):
            return "\(what) has zero or non-finite length and cannot be normalised"
        case .syntax(let message, let column, let expression):
            let caret = String(repeating: " ", count: max(0, column - 1)) + "^"
            return "query expression, column \(column): \(message)\n  \(expression)\n  \(caret)"
        case .unsupportedKernel(let name, let supported):
            return "this CPU cannot run the int8 kernel \(name); it can run \(supported.joined(separator: ", "))"
        }
    }
}
