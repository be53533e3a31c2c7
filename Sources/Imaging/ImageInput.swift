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
    /// A separate focused-region picture file, transformed whole (relation level with a file).
    case focusedRegion(URL)
}

extension CLIPPreprocessor {
    /// The tensor of one input of an already decoded image. Returns `[3, S, S]`.
    /// - Throws: ``ImagingError`` for bad boxes, or when a focused-region file cannot be decoded.
    public func tensor(for input: ImageInput, of image: RGBImage, options: PictureDecodeOptions = .init()) throws -> Tensor {
        normalized(try window(for: input, of: image, options: options))
    }

    /// The `S × S` pixels of one input before normalisation (what PIL holds after `Resize` + `CenterCrop`).
    /// - Throws: ``ImagingError`` for bad boxes, or when a focused-region file cannot be decoded.
    public func window(for input: ImageInput, of image: RGBImage, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        switch input {
        case .full:
            return try croppedImage(image)
        case .object(let box):
            return try croppedImage(image, visible: try Self.visibleBox(box, in: image))
        case .relation(let subject, let object):
            for box in [subject, object] { try Self.checkOrder(box, in: image) }
            return try croppedImage(image, visible: try Self.visibleBox(subject.union(object), in: image))
        case .focusedRegion(let url):
            return try croppedImage(contentsOf: url, options: options)
        }
    }
}
