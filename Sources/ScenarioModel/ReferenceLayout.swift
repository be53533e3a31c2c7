import CLIP

/// The reference module's parameter names and shapes, for building or checking models without a file.
public enum ReferenceLayout {
    /// Every `(name, shape)` of `ThreeLevelCLIP().state_dict()` / `OneLevelCLIP().state_dict()` (transformers 4.44
    /// layout, no `model.` prefix) for towers `vision`/`text` and heads of `width` (512 in the reference).
    public static func tensorShapes(
        _ architecture: ScenarioArchitecture, vision: CLIPVisionConfig, text: CLIPTextConfig, width: Int = 512
    ) -> [(name: String, shape: [Int])] {
        precondition(architecture != .huggingFaceCLIP, "the reference layouts are three_level and one_level")
        let layout = ScenarioKeyLayout(innerVisionLevel: true, innerTextLevel: true)
        var result: [(String, [Int])] = []
        for level in architecture.storedLevels {
            let p = architecture.levelPrefix(level)
            let vp = layout.visionPrefix(p), tp = layout.textPrefix(p)
            for name in TowerConfigInference.visionKeys(vision, prefix: vp) {
                result.append((name, visionShape(String(name.dropFirst(vp.count)), vision)))
            }
            for name in TowerConfigInference.textKeys(text, prefix: tp) {
                result.append((name, textShape(String(name.dropFirst(tp.count)), text)))
            }
            result += [
                (p + "image_projection.weight", [width, vision.hiddenSize]), (p + "image_projection.bias", [width]),
                (p + "text_projection.weight", [width, text.hiddenSize]), (p + "text_projection.bias", [width]),
                (p + "image_norm.weight", [width]), (p + "image_norm.bias", [width]),
                (p + "text_norm.weight", [width]), (p + "text_norm.bias", [width]),
            ]
        }
        return result
    }

    private static func visionShape(_ key: String, _ c: CLIPVisionConfig) -> [Int] {
        let h = c.hiddenSize
        switch key {
        case "embeddings.class_embedding": return [h]
        case "embeddings.patch_embedding.weight": return [h, c.numChannels, c.patchSize, c.patchSize]
        case "embeddings.position_embedding.weight": return [c.gridSize * c.gridSize + 1, h]
        default: return encoderShape(key, hidden: h, intermediate: c.intermediateSize)
        }
    }

    private static func textShape(_ key: String, _ c: CLIPTextConfig) -> [Int] {
        let h = c.hiddenSize
        switch key {
        case "embeddings.token_embedding.weight": return [c.vocabSize, h]
        case "embeddings.position_embedding.weight": return [c.maxPositionEmbeddings, h]
        default: return encoderShape(key, hidden: h, intermediate: c.intermediateSize)
        }
    }

    private static func encoderShape(_ key: String, hidden h: Int, intermediate m: Int) -> [Int] {
        if key.hasSuffix("mlp.fc1.weight") { return [m, h] }
        if key.hasSuffix("mlp.fc1.bias") { return [m] }
        if key.hasSuffix("mlp.fc2.weight") { return [h, m] }
        if key.hasSuffix("_proj.weight") { return [h, h] }
        return [h]  // biases and norms of width h
    }
}
