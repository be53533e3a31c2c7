extension RGBImage {
    /// The image resized to `width × height` exactly as PIL's `Image.resize((width, height), Image.BICUBIC)`.
    /// - Complexity: O((height_in × width + height × width) × taps); taps grow with the downscale factor.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "resize target \(newWidth)x\(newHeight) must be positive")
        precondition(width > 0 && height > 0, "cannot resize an empty \(width)x\(height) image")
        if newWidth == width && newHeight == height { return self }
        let pixels = BicubicResampler.resizeCropped(
            self, outWidth: newWidth, outHeight: newHeight, left: 0, top: 0, cropWidth: newWidth,
            cropHeight: newHeight, visible: PixelBox(x1: 0, y1: 0, x2: width, y2: height))
        return RGBImage(width: newWidth, height: newHeight, pixels: pixels)
    }

    /// The pixels inside `box` (clamped to the image), as PIL's `crop` of an in-bounds box.
    /// - Throws: ``ImagingError/invalidBox(box:width:height:detail:)`` when the box is inverted or outside.
    public func cropped(to box: PixelBox) throws -> RGBImage {
        let b = try CLIPPreprocessor.visibleBox(box, in: self)
        var out = [UInt8](repeating: 0, count: b.width * b.height * 3)
        for y in b.y1..<b.y2 {
            let src = (y * width + b.x1) * 3, dst = (y - b.y1) * b.width * 3
            out[dst..<(dst + b.width * 3)] = pixels[src..<(src + b.width * 3)]
        }
        return RGBImage(width: b.width, height: b.height, pixels: out)
    }
}
