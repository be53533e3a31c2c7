import ArgumentParser
import CLIP
import Foundation
import Imaging
import Numerics
import ScenarioModel
import Tokenizer

/// `scenarioclip embed`: Print an embedding of a text or an image.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print an embedding of a text or an image.",
        discussion: """
            For a CLIPModel folder this prints the projected features (what Hugging Face's get_text_features / \
            get_image_features return, before L2 normalisation); for a single-tower folder (CLIPVisionModel, \
            CLIPTextModel) its pooler_output. Pixels are a float32 .npy array [3, H, W] already resized and \
            normalised for the model. Without --level, --image takes a JPEG through CLIP's evaluation transform \
            (the folder's preprocessor_config.json when present, else the vision tower's image_size with OpenAI's \
            mean/std), and --box keeps only that box on a black canvas.

            With --level, the ScenarioCLIP path: --model may be a Lightning .ckpt, a .pt state dict \
            (X_ema_teacher.pt), our .safetensors or a CLIP folder (the bundled demo model when omitted); \
            --image takes a JPEG (with --box x1,y1,x2,y2: the object input, a black canvas with only the box \
            pasted back); the output is the level's raw head output, as JSON {"level": ..., "embedding": [...]}.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "ScenarioCLIP level.")
    var level: Level?

    @Option(help: "A JPEG image to embed (resized, centre-cropped and normalised like the reference).")
    var image: String?

    @Option(help: "With --image: object box x1,y1,x2,y2 in pixels (write --box=-5,0,20,30 for negatives).")
    var box: String?

    @Option(help: "Text to embed (tokenized with CLIP's BPE tokenizer).")
    var text: String?

    @Option(help: "Image to embed: a float32 .npy array [3, H, W] (or [1, 3, H, W]).")
    var pixels: String?

    @Option(help: "Token ids to embed, comma-separated (e.g. 49406,320,49407).")
    var ids: String?

    @Flag(help: "Print one JSON object {\"embedding\": [floats]}.")
    var json = false

    func validate() throws {
        if level != nil {
            let given = [text, image].compactMap { $0 }.count
            guard given == 1, pixels == nil, ids == nil else {
                throw ValidationError("with --level give exactly one of --text or --image")
            }
            if box != nil, image == nil { throw ValidationError("--box needs --image") }
            if let box { _ = try ScenarioEmbedding.parseBox(box) }
            return
        }
        guard modelOptions.model != nil else { throw ValidationError("--model is required without --level") }
        guard !modelOptions.file.isGiven, modelOptions.precision.precision == .float32 else {
            throw ValidationError(
                "--ema, --vision-heads, --text-heads and --precision need --level (without it the Hugging Face folder runs as its config.json says, in float32)")
        }
        let given = [text, pixels, ids, image].compactMap { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --text, --pixels, --ids or --image") }
        if box != nil, image == nil { throw ValidationError("--box needs --image") }
        if let box { _ = try ScenarioEmbedding.parseBox(box) }
    }

    func run() throws {
        if let parsed = level {
            try ScenarioEmbedding(
                level: parsed, text: text, image: image, box: box, json: json, modelOptions: modelOptions
            ).run()
            return
        }
        let embedding = try modelOptions.kernelOptions.kernels.map { try KernelLevel.withCeiling($0, folderEmbedding) }
            ?? folderEmbedding()
        print(Self.format(embedding.scalars, json: json))
    }

    /// The projected features of the Hugging Face CLIP folder behind `--model` (the path without `--level`).
    private func folderEmbedding() throws -> Tensor {
        let clip = try CLIPModel(folder: URL(fileURLWithPath: modelOptions.model ?? ""))
        if let image {
            let preprocessor = try Self.preprocessor(folder: URL(fileURLWithPath: modelOptions.model ?? ""), clip: clip)
            let decoded = try Picture.decode(contentsOf: URL(fileURLWithPath: image))
            let input = try box.map { try preprocessor.objectTensor(for: decoded, box: ScenarioEmbedding.parseBox($0)) }
                ?? preprocessor.tensor(for: decoded)
            return try clip.imageFeatures(input.reshaped([1] + input.shape))
        } else if let pixels {
            var image = try NPYFile.read(URL(fileURLWithPath: pixels))
            if image.rank == 3 { image = image.reshaped([1] + image.shape) }
            return try clip.imageFeatures(image)
        } else {
            let row: [Int32]
            if let text {
                let context = clip.text?.config.maxPositionEmbeddings ?? 77
                row = try CLIPTokenizer.bundled().encode(text, contextLength: context)
            } else {
                row = try Self.parseIDs(ids ?? "")
            }
            return try clip.textFeatures([row])
        }
    }

    /// A CLIP folder's image transform: its `preprocessor_config.json` when present, else OpenAI CLIP's
    /// mean/std at the vision tower's `image_size`.
    static func preprocessor(folder: URL, clip: CLIPModel) throws -> CLIPPreprocessor {
        guard let vision = clip.vision else {
            throw ValidationError("the model in \(folder.path) has no vision tower; --image needs one")
        }
        let config = try ScenarioModelLoader.folderPreprocess(folder, imageSize: vision.config.imageSize)
        return try CLIPPreprocessor(config: config)
    }

    /// `"49406, 320,49407"` → `[49406, 320, 49407]`.
    static func parseIDs(_ text: String) throws -> [Int32] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw ValidationError("--ids is empty") }
        return try parts.map { part in
            guard let id = Int32(part) else { throw ValidationError("--ids: '\(part)' is not an integer") }
            return id
        }
    }

    /// Space-separated values, or `{"embedding": [...]}`; floats in their shortest exact decimal form.
    static func format(_ values: [Float], json: Bool) -> String {
        let numbers = values.map { $0.isFinite ? "\($0)" : "null" }
        return json ? "{\"embedding\": [" + numbers.joined(separator: ", ") + "]}" : numbers.joined(separator: " ")
    }
}
