import Foundation

/// Image size and normalisation of a CLIP vision tower (Imaging's own copy; no model dependency).
public struct CLIPPreprocessConfig: Sendable, Equatable, Codable {
    /// Side of the square model input (224 for ViT-B/32).
    public var imageSize: Int
    /// Per-channel mean subtracted after scaling to [0, 1] (R, G, B).
    public var mean: [Float]
    /// Per-channel standard deviation divided by after subtracting the mean (R, G, B).
    public var std: [Float]

    public init(imageSize: Int, mean: [Float], std: [Float]) {
        self.imageSize = imageSize
        self.mean = mean
        self.std = std
    }

    /// OpenAI CLIP's values: 224 px, mean (0.48145466, 0.4578275, 0.40821073), std (0.26862954, 0.26130258, 0.27577711).
    public static let openAICLIP = CLIPPreprocessConfig(
        imageSize: 224, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711])

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size"
        case mean = "image_mean"
        case std = "image_std"
    }
}

extension CLIPPreprocessConfig {
    /// Reads a Hugging Face `preprocessor_config.json` (`crop_size`, `size`, `image_mean`, `image_std`;
    /// sizes either plain numbers or `{"height", "width"}` / `{"shortest_edge"}` objects).
    /// - Throws: ``ImagingError/invalidConfig(detail:)`` naming `source` and the field when a value is
    ///   missing or malformed, or when the resize edge differs from the square crop (not supported here).
    public init(huggingFacePreprocessorConfig data: Data, source: String) throws {
        func fail(_ detail: String) -> ImagingError { .invalidConfig(detail: "\(source): \(detail)") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        func side(_ key: String, _ inner: [String]) throws -> Int? {
            guard let value = object[key] else { return nil }
            if let n = value as? Int { return n }
            if let dict = value as? [String: Any] {
                let sides = inner.compactMap { dict[$0] as? Int }
                if let first = sides.first, sides.count == inner.count, sides.allSatisfy({ $0 == first }) { return first }
            }
            throw fail("'\(key)' must be a number or \(inner) with equal values, got \(value)")
        }
        func triple(_ key: String) throws -> [Float] {
            guard let values = object[key] as? [Double], values.count == 3 else {
                throw fail("'\(key)' must be 3 numbers")
            }
            return values.map { Float($0) }
        }
        let crop = try side("crop_size", ["height", "width"])
        let edge = try side("size", ["shortest_edge"])
        guard let imageSize = crop ?? edge else { throw fail("neither 'crop_size' nor 'size' is present") }
        if let edge, edge != imageSize {
            throw fail("resize edge \(edge) differs from crop size \(imageSize)")
        }
        self.init(imageSize: imageSize, mean: try triple("image_mean"), std: try triple("image_std"))
    }
}
