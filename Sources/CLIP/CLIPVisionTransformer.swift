import Numerics
import Weights

/// CLIP's vision tower, equal to Hugging Face `CLIPVisionModel`'s `pooler_output`:
/// patch convolution + class token + position embeddings → `pre_layrnorm` → encoder → `post_layernorm(CLS)`.
public struct CLIPVisionTransformer: Sendable {
    public let config: CLIPVisionConfig
    /// `patch_embedding` as a bias-free linear layer over `[hidden, channels·patch·patch]` (the conv weight reshaped,
    /// packed for the product kernel on its first product).
    let patchEmbedding: Linear
    /// `[hidden]`.
    let classEmbedding: Tensor
    /// `[tokens, hidden]`.
    let positionEmbedding: Tensor
    let preLayerNorm: LayerNorm
    private(set) var encoder: CLIPEncoder
    let postLayerNorm: LayerNorm

    /// Loads the tower from `archive`, reading `prefix + "embeddings.patch_embedding.weight"` and so on.
    ///
    /// - Parameter prefix: everything before `embeddings.` in the keys: `"vision_model."` in a Hugging Face
    ///   `CLIPModel` or `CLIPVisionModel`, `"model.global_visual_encoder.vision_model."` in a ScenarioCLIP checkpoint.
    /// - Throws: `WeightsError` naming a missing, misshapen or unreadable tensor, or any tensor under `prefix`
    ///   that the tower does not use; ``CLIPError`` for an impossible config.
    public init(config: CLIPVisionConfig, archive: any TensorArchive, prefix: String = "vision_model.") throws {
        let activation = try config.validated(source: archive.sourceDescription)
        let loader = TensorLoader(archive, prefix: prefix)
        let (width, patch, channels) = (config.hiddenSize, config.patchSize, config.numChannels)
        self.config = config
        patchEmbedding = Linear(
            weight: try loader.tensor("embeddings.patch_embedding.weight", shape: [width, channels, patch, patch])
                .reshaped([width, channels * patch * patch]),
            bias: nil
        ).preparedForProducts()
        classEmbedding = try loader.tensor("embeddings.class_embedding", shape: [width])
        positionEmbedding = try loader.tensor("embeddings.position_embedding.weight", shape: [config.tokenCount, width])
        loader.ignore("embeddings.position_ids")
        preLayerNorm = LayerNorm(
            weight: try loader.tensor("pre_layrnorm.weight", shape: [width]),
            bias: try loader.tensor("pre_layrnorm.bias", shape: [width]), eps: config.layerNormEps)
        encoder = try CLIPEncoder(
            loader: loader, prefix: "", layerCount: config.numHiddenLayers, width: width,
            intermediate: config.intermediateSize, heads: config.numAttentionHeads, eps: config.layerNormEps,
            activation: activation)
        postLayerNorm = LayerNorm(
            weight: try loader.tensor("post_layernorm.weight", shape: [width]),
            bias: try loader.tensor("post_layernorm.bias", shape: [width]), eps: config.layerNormEps)
        try loader.checkAllUsed()
    }

    /// The same tower with the encoder's linear weights stored in `precision` (embeddings and layer norms stay
    /// float32). ``Linear/Precision/float16`` is an explicit speed/memory option, not equal to Hugging Face to 1e-4.
    public func converted(to precision: Linear.Precision) -> CLIPVisionTransformer {
        var copy = self
        copy.encoder = encoder.converted(to: precision)
        return copy
    }

    /// The shape `pooled` expects for `n` images: `[n, channels, imageSize, imageSize]`.
    public func inputShape(images n: Int) -> [Int] {
        [n, config.numChannels, config.imageSize, config.imageSize]
    }

    /// Checks that `pixels` fits the tower.
    /// - Throws: ``CLIPError/invalidInput(_:)`` describing the expected shape.
    public func validate(_ pixels: Tensor) throws {
        guard pixels.rank == 4, pixels.shape[0] >= 1, Array(pixels.shape.dropFirst()) == Array(inputShape(images: 1).dropFirst())
        else {
            throw CLIPError.invalidInput("pixels have shape \(pixels.shape), expected \(inputShape(images: 1).dropFirst()) per image")
        }
    }

    /// `pooler_output`: `[n, channels, imageSize, imageSize]` normalised pixels → `[n, hidden]`.
    ///
    /// All images go through each linear layer as one matrix product; the last layer computes only the class token.
    public func pooled(_ pixels: Tensor) -> Tensor {
        precondition(
            pixels.rank == 4 && Array(pixels.shape.dropFirst()) == Array(inputShape(images: 1).dropFirst()),
            "pixels must be \(inputShape(images: pixels.shape.first ?? 1)), got \(pixels.shape)")
        let n = pixels.shape[0]
        let hidden = encoder.finalHidden(
            preLayerNorm(embed(pixels)), causal: false, at: [Int](repeating: 0, count: n))
        return postLayerNorm(hidden)
    }

    /// `[n, C, S, S] → [n, tokens, hidden]`: class token and patch projections plus position embeddings.
    func embed(_ pixels: Tensor) -> Tensor {
        let n = pixels.shape[0]
        let (channels, size, patch, grid) = (config.numChannels, config.imageSize, config.patchSize, config.gridSize)
        let width = config.hiddenSize
        let patchCount = grid * grid
        let patchLength = channels * patch * patch
        // im2col: one row per patch in (channel, y, x) order, matching the conv weight's layout.
        let columns = Tensor(shape: [n * patchCount, patchLength]) { out in
            pixels.withUnsafeBufferPointer { src in
                let s = src.baseAddress!, o = out.baseAddress!
                for image in 0..<n {
                    for py in 0..<grid {
                        for px in 0..<grid {
                            var dst = o + ((image * patchCount) + py * grid + px) * patchLength
                            for c in 0..<channels {
                                let plane = s + (image * channels + c) * size * size
                                for y in 0..<patch {
                                    dst.update(from: plane + (py * patch + y) * size + px * patch, count: patch)
                                    dst += patch
                                }
                            }
                        }
                    }
                }
            }
        }
        let patches = patchEmbedding(columns)  // [n·patches, width]
        let tokens = config.tokenCount
        return Tensor(shape: [n, tokens, width]) { out in
            patches.withUnsafeBufferPointer { p in
                positionEmbedding.withUnsafeBufferPointer { position in
                    classEmbedding.withUnsafeBufferPointer { cls in
                        let o = out.baseAddress!
                        for image in 0..<n {
                            let base = o + image * tokens * width
                            VectorKernels.add(cls.baseAddress!, position.baseAddress!, base, width)
                            VectorKernels.add(
                                p.baseAddress! + image * patchCount * width, position.baseAddress! + width,
                                base + width, patchCount * width)
                        }
                    }
                }
            }
        }
    }
}
