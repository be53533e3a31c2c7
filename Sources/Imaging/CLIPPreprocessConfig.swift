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
