import Foundation
import Numerics

/// CLIP's evaluation transform, equal to torchvision `Resize(S, BICUBIC)` → `CenterCrop(S)` → `ToTensor()`
/// → `Normalize(mean, std)` applied to a PIL RGB image; with the ``ImageFit/stretch`` fit,
/// `Resize((S, S), BICUBIC)` → `ToTensor()` → `Normalize(mean, std)` instead.
///
/// Resize follows torchvision's size rule (shorter side `S`, longer side `int(S * long / short)`) and PIL's
/// bicubic resampling (see ``BicubicResampler``); the crop offset is `int(round((side - S) / 2.0))`
/// with Python's round-half-to-even. Only the cropped window is ever resampled.
public struct CLIPPreprocessor: Sendable {
    /// Image size and normalisation.
    public let config: CLIPPreprocessConfig
    /// `table[c][v] = (Float(v) / 255 - mean[c]) / std[c]` in Float32, as torchvision computes it.
    private let table: [[Float]]

    /// - Throws: ``ImagingError/invalidConfig(detail:)`` when the size is not positive or mean/std are not
    ///   three finite values with non-zero std.
    public init(config: CLIPPreprocessConfig = .openAICLIP) throws {
        guard config.imageSize > 0 else {
            throw ImagingError.invalidConfig(detail: "image size \(config.imageSize) is not positive")
        }
        guard config.mean.count == 3, config.std.count == 3 else {
            throw ImagingError.invalidConfig(
                detail: "mean and std need 3 values each, got \(config.mean.count) and \(config.std.count)")
        }
        guard config.mean.allSatisfy(\.isFinite), config.std.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            throw ImagingError.invalidConfig(detail: "mean \(config.mean) / std \(config.std) must be finite, std non-zero")
        }
        self.config = config
        self.table = (0..<3).map { c in
            (0..<256).map { v in (Float(v) / 255 - config.mean[c]) / config.std[c] }
        }
    }

    /// The resized size torchvision's `Resize(S)` picks for a `width × height` image.
    public static func resizedSize(width: Int, height: Int, shorterSide size: Int) -> (width: Int, height: Int) {
        if width <= height {
            return (size, Int(Double(size * height) / Double(width)))
        }
        return (Int(Double(size * width) / Double(height)), size)
    }

    /// torchvision `CenterCrop`'s offsets: `int(round((side - S) / 2.0))` with round-half-to-even.
    static func cropOrigin(outWidth: Int, outHeight: Int, size s: Int) -> (left: Int, top: Int) {
        (Int((Double(outWidth - s) / 2.0).rounded(.toNearestOrEven)),
         Int((Double(outHeight - s) / 2.0).rounded(.toNearestOrEven)))
    }

    /// The resized size and the `S × S` window's origin in it for a `width × height` picture under the config's fit.
    func layout(width: Int, height: Int) -> (outWidth: Int, outHeight: Int, left: Int, top: Int) {
        let s = config.imageSize
        switch config.fit {
        case .centerCrop:
            let (outWidth, outHeight) = Self.resizedSize(width: width, height: height, shorterSide: s)
            // torchvision CenterCrop pads when the image is smaller than the crop; the shorter side is S here,
            // and the longer one at least S, so no padding is needed.
            let (left, top) = Self.cropOrigin(outWidth: outWidth, outHeight: outHeight, size: s)
            return (outWidth, outHeight, left, top)
        case .stretch:
            return (s, s, 0, 0)
        }
    }

    // MARK: Pixels before normalisation

    /// The `S × S` RGB window the model sees (resized and centre-cropped, or stretched, before `ToTensor`).
    public func croppedImage(_ image: RGBImage) throws -> RGBImage {
        try croppedImage(image, visible: PixelBox(x1: 0, y1: 0, x2: image.width, y2: image.height))
    }

    /// As ``croppedImage(_:)`` for the black canvas that keeps only `visible` (already clamped and non-empty).
    func croppedImage(_ image: RGBImage, visible: PixelBox) throws -> RGBImage {
        guard image.width > 0, image.height > 0 else {
            throw ImagingError.invalidConfig(detail: "cannot preprocess an empty \(image.width)x\(image.height) image")
        }
        let s = config.imageSize
        let (outWidth, outHeight, left, top) = layout(width: image.width, height: image.height)
        let pixels = BicubicResampler.resizeCropped(
            image, outWidth: outWidth, outHeight: outHeight, left: left, top: top, cropWidth: s, cropHeight: s,
            visible: visible)
        return RGBImage(width: s, height: s, pixels: pixels)
    }

    /// The `S × S` window of a picture file's whole image. Equal to `croppedImage(Picture.decode(contentsOf: url))`;
    /// a JPEG decodes only the pixels the resize reads (for a 16:9 landscape about 60 % of the columns) unless
    /// `options.applyEXIFOrientation` meets a rotated file; PNG and WebP decode whole.
    /// - Throws: ``ImagingError`` naming the file.
    public func croppedImage(contentsOf url: URL, options: PictureDecodeOptions = .init()) throws -> RGBImage {
        let data = try PictureFile.read(url)
        guard try Picture.format(of: data, source: url.path) == .jpeg else {
            return try croppedImage(Picture.decode(data: data, source: url.path, options: options))
        }
        return try JPEG.withDecoder(data: data, source: url.path, options: options) { decoder in
            let (w, h) = (decoder.header.width, decoder.header.height)
            guard w > 0, h > 0 else { throw ImagingError.invalidConfig(detail: "cannot preprocess an empty \(w)x\(h) image") }
            if options.applyEXIFOrientation, decoder.header.exifOrientation > 1 {
                return try croppedImage(decoder.readRGB().applyingEXIFOrientation(decoder.header.exifOrientation))
            }
            let s = config.imageSize
            let (outWidth, outHeight, left, top) = layout(width: w, height: h)
            let region = BicubicResampler.sourceRegion(
                width: w, height: h, outWidth: outWidth, outHeight: outHeight, left: left, top: top, cropWidth: s,
                cropHeight: s)
            let pixels = try decoder.readRGB(region: region)
            let window = BicubicResampler.resizeCropped(
                pixels, origin: (region.x1, region.y1), width: w, height: h, outWidth: outWidth, outHeight: outHeight,
                left: left, top: top, cropWidth: s, cropHeight: s, visible: PixelBox(x1: 0, y1: 0, x2: w, y2: h))
            return RGBImage(width: s, height: s, pixels: window)
        }
    }

    // MARK: Tensors

    /// The model input for a whole picture file, decoding only what the resize reads (see
    /// ``croppedImage(contentsOf:options:)``). Returns `[3, S, S]`.
    public func tensor(contentsOf url: URL, options: PictureDecodeOptions = .init()) throws -> Tensor {
        normalized(try croppedImage(contentsOf: url, options: options))
    }

    /// The model input for a whole image. Returns `[3, S, S]`.
    public func tensor(for image: RGBImage) throws -> Tensor {
        normalized(try croppedImage(image))
    }

    /// The object input: a black canvas of the image's size with only `box` pasted back, transformed.
    /// The box is clamped to the image. Returns `[3, S, S]`.
    /// - Throws: ``ImagingError/invalidBox(box:width:height:detail:)`` when `x2 < x1`, `y2 < y1`, or nothing
    ///   of the box lies inside the image.
    public func objectTensor(for image: RGBImage, box: PixelBox) throws -> Tensor {
        normalized(try croppedImage(image, visible: try Self.visibleBox(box, in: image)))
    }

    /// The object input from dataset coordinates `[x1, y1, x2, y2]` (floats truncated like Python's `int()`).
    /// Returns `[3, S, S]`.
    public func objectTensor(for image: RGBImage, box values: [Double]) throws -> Tensor {
        guard let box = PixelBox(truncating: values) else {
            throw ImagingError.invalidBox(box: PixelBox(x1: 0, y1: 0, x2: 0, y2: 0), width: image.width,
                                          height: image.height, detail: "coordinates \(values) are not 4 finite numbers")
        }
        return try objectTensor(for: image, box: box)
    }

    /// The relation input built from boxes: everything outside the union of `subject` and `object` blacked
    /// out, transformed. Returns `[3, S, S]`.
    /// - Throws: ``ImagingError/invalidBox(box:width:height:detail:)`` for an inverted box or a union outside the image.
    public func relationTensor(for image: RGBImage, subject: PixelBox, object: PixelBox) throws -> Tensor {
        for box in [subject, object] { try Self.checkOrder(box, in: image) }
        return try objectTensor(for: image, box: subject.union(object))
    }

    /// Stacks `[3, S, S]` tensors into `[n, 3, S, S]`.
    public func batch(_ tensors: [Tensor]) -> Tensor {
        let s = config.imageSize
        let each = 3 * s * s
        var out = Tensor(zeros: [tensors.count, 3, s, s])
        out.withUnsafeMutableBufferPointer { dst in
            for (i, t) in tensors.enumerated() {
                precondition(t.shape == [3, s, s], "batch element \(i) has shape \(t.shape), expected [3, \(s), \(s)]")
                t.withUnsafeBufferPointer { src in
                    dst.baseAddress!.advanced(by: i * each).update(from: src.baseAddress!, count: each)
                }
            }
        }
        return out
    }

    /// `ToTensor` + `Normalize` of an `S × S` window: planar `[3, S, S]`.
    public func normalized(_ window: RGBImage) -> Tensor {
        let plane = window.width * window.height
        var out = Tensor(zeros: [3, window.height, window.width])
        out.withUnsafeMutableBufferPointer { dst in
            window.pixels.withUnsafeBufferPointer { src in
                for c in 0..<3 {
                    table[c].withUnsafeBufferPointer { lut in
                        let base = c * plane
                        for i in 0..<plane { dst[base + i] = lut[Int(src[i * 3 + c])] }
                    }
                }
            }
        }
        return out
    }

    // MARK: Boxes

    static func checkOrder(_ box: PixelBox, in image: RGBImage) throws {
        if box.x2 < box.x1 || box.y2 < box.y1 {
            throw ImagingError.invalidBox(box: box, width: image.width, height: image.height,
                                          detail: "x2 < x1 or y2 < y1")
        }
    }

    /// The box limited to the image; throws when it is inverted or encloses no pixel of the image.
    static func visibleBox(_ box: PixelBox, in image: RGBImage) throws -> PixelBox {
        try checkOrder(box, in: image)
        let clamped = box.clamped(width: image.width, height: image.height)
        if clamped.isEmpty {
            throw ImagingError.invalidBox(box: box, width: image.width, height: image.height,
                                          detail: "no pixel of the box lies inside the image")
        }
        return clamped
    }
}
