import Foundation
import Numerics

/// One model input cut from a decoded image (see ``CLIPPreprocessor``).
public enum ImageInput: Sendable, Equatable {
    /// The whole image.
    case full
    /// Black canvas with only this box kept (object level).
    case object(PixelBox)
    /// Black canvas with only the union of the subject and object boxes kept (relation level without a file).
    case relation(subject: PixelBox, object: PixelBox)
    /// A separate focused-region JPEG file, transformed whole (relation level with a file).
    case focusedRegion(URL)
}

extension CLIPPreprocessor {
    /// The tensor of one input of an already decoded image. Returns `[3, S, S]`.
    /// - Throws: ``ImagingError`` for bad boxes, or when a focused-region file cannot be decoded.
    public func tensor(for input: ImageInput, of image: RGBImage, options: JPEGDecodeOptions = .init()) throws -> Tensor {
        switch input {
        case .full: return try tensor(for: image)
        case .object(let box): return try objectTensor(for: image, box: box)
        case .relation(let subject, let object): return try relationTensor(for: image, subject: subject, object: object)
        case .focusedRegion(let url): return try tensor(for: JPEG.decode(contentsOf: url, options: options))
        }
    }
}
