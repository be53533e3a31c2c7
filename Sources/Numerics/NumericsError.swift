/// Errors from reading numeric files (`.npy`). Kernels use preconditions for programmer errors instead.
public enum NumericsError: Error, CustomStringConvertible, Equatable {
    /// A `.npy` file that is not a float array this engine can read.
    case invalidNPY(path: String, reason: String)
    /// A file that cannot be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidNPY(let path, let reason): "\(path): not a readable .npy array: \(reason)"
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}
