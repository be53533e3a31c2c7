import Foundation

/// Errors of the Imaging module; each message names the file (or box) involved.
public enum ImagingError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The file holds no bytes.
    case emptyFile(file: String)
    /// The data does not start with a JPEG start-of-image marker (`detail` says what it looks like).
    case notJPEG(file: String, detail: String)
    /// The data is no picture format ScenarioCLIP reads (JPEG, PNG, WebP), or uses a feature it does not
    /// decode (`detail` says which).
    case unsupportedFormat(file: String, detail: String)
    /// The data ends before the image does.
    case truncated(file: String, detail: String)
    /// The decoding library (libjpeg, libspng, libwebp) rejected the data.
    case corrupt(file: String, detail: String)
    /// The stored component layout has no RGB conversion.
    case unsupportedColorSpace(file: String, components: Int)
    /// The declared size exceeds the decompression-bomb limit (checked before any pixel is allocated).
    case tooManyPixels(file: String, width: Int, height: Int, limit: Int)
    /// Encoding failed (bad size or quality, or libjpeg refused).
    case encodeFailed(detail: String)
    /// Writing an encoded file failed.
    case writeFailed(file: String, reason: String)
    /// A crop box encloses no pixel of a `width × height` image after truncation and clamping.
    case invalidBox(box: PixelBox, width: Int, height: Int, detail: String)
    /// A preprocessing configuration that cannot be applied.
    case invalidConfig(detail: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "cannot read image '\(file)': \(reason)"
        case .emptyFile(let file):
            return "image '\(file)' is empty (0 bytes)"
        case .notJPEG(let file, let detail):
            return "image '\(file)' is not a JPEG file: \(detail)"
        case .unsupportedFormat(let file, let detail):
            return "image '\(file)' is not a JPEG, PNG or WebP picture ScenarioCLIP can decode: \(detail)"
        case .truncated(let file, let detail):
            return "image '\(file)' is truncated: \(detail)"
        case .corrupt(let file, let detail):
            return "image '\(file)' is corrupt: \(detail)"
        case .unsupportedColorSpace(let file, let components):
            return "JPEG '\(file)' has an unsupported colour space (\(components) components)"
        case .tooManyPixels(let file, let width, let height, let limit):
            return "image '\(file)' declares \(width)x\(height) = \(width * height) pixels, "
                + "over the decompression-bomb limit of \(limit) pixels"
        case .encodeFailed(let detail):
            return "picture encoding failed: \(detail)"
        case .writeFailed(let file, let reason):
            return "cannot write JPEG '\(file)': \(reason)"
        case .invalidBox(let box, let width, let height, let detail):
            return "box \(box) is invalid for a \(width)x\(height) image: \(detail)"
        case .invalidConfig(let detail):
            return "invalid preprocessing configuration: \(detail)"
        }
    }

    public var errorDescription: String? { description }
}
