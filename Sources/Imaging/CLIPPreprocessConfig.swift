import Foundation

/// How a picture is brought to the square model input.
public enum ImageFit: String, Sendable, Equatable, Codable, CaseIterable {
    /// CLIP's transform: the shorter side resized to `S`, then the centre `S × S` window (torchvision
    /// `Resize(S)` + `CenterCrop(S)`). The long side's edges are not seen.
    case centerCrop = "center_crop"
    /// The whole picture resized to `S × S` without keeping its aspect ratio (torchvision `Resize((S, S))`,
    /// Hugging Face `do_center_crop: false`). Nothing is cut off; wide pictures are squeezed.
    case stretch
}

/// Image size, fit and normalisation of a CLIP vision tower (Imaging's own copy; no model dependency).
public struct CLIPPreprocessConfig: Sendable, Equatable, Codable {
    /// Side of the square model input (224 for ViT-B/32).
    public var imageSize: Int
    /// How the picture becomes the square input (CLIP's centre crop unless a model says otherwise).
    public var fit: ImageFit
    /// Per-channel mean subtracted after scaling to [0, 1] (R, G, B).
    public var mean: [Float]
    /// Per-channel standard deviation divided by after subtracting the mean (R, G, B).
    public var std: [Float]

    public init(imageSize: Int, mean: [Float], std: [Float], fit: ImageFit = .centerCrop) {
        self.imageSize = imageSize
        self.mean = mean
        self.std = std
        self.fit = fit
    }

    /// OpenAI CLIP's values: 224 px, mean (0.48145466, 0.4578275, 0.40821073), std (0.26862954, 0.26130258, 0.27577711).
    public static let openAICLIP = CLIPPreprocessConfig(
        imageSize: 224, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711])

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size"
        case mean = "image_mean"
        case std = "image_std"
        case fit
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(imageSize: try c.decode(Int.self, forKey: .imageSize), mean: try c.decode([Float].self, forKey: .mean),
                  std: try c.decode([Float].self, forKey: .std),
                  fit: try c.decodeIfPresent(ImageFit.self, forKey: .fit) ?? .centerCrop)
    }
}

extension CLIPPreprocessConfig {
    /// Reads a Hugging Face `preprocessor_config.json` (`crop_size`, `size`, `image_mean`, `image_std`;
    /// sizes either plain numbers or `{"height", "width"}` / `{"shortest_edge"}` objects). `do_center_crop:
    /// false` with a square `size` `{"height": S, "width": S}` is the ``ImageFit/stretch`` fit.
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
        if let doCrop = object["do_center_crop"] as? Bool, !doCrop {
            guard object["size"] is [String: Any], let size = try side("size", ["height", "width"]) else {
                throw fail("'do_center_crop' is false but 'size' is not a square {\"height\", \"width\"}")
            }
            self.init(imageSize: size, mean: try triple("image_mean"), std: try triple("image_std"), fit: .stretch)
            return
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
