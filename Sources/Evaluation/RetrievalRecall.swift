import Numerics

/// Cross-modal retrieval recall@k in both directions over image–text pairs.
public struct RetrievalRecall: Sendable, Equatable, Codable {
    /// Image → text: for each image, a hit when one of the top-k texts is a text paired with it.
    public var imageToText: TopKAccuracy
    /// Text → image: for each distinct text, a hit when one of the top-k images is paired with it.
    public var textToImage: TopKAccuracy

    /// Computes recall from image embeddings `[n, d]`, distinct text embeddings `[t, d]` and, for each
    /// image, the index of its text (several images may share one text, as scenes share an action).
    public static func evaluate(images: Tensor, texts: Tensor, textOfImage: [Int], ks: [Int] = [1, 5, 10])
        -> RetrievalRecall
    {
        precondition(images.shape[0] == textOfImage.count, "one text index per image required")
        let table = Similarity.cosineTable(images, texts)
        let imageTruths = textOfImage.map { Set([$0]) }
        let forward = TopKAccuracy.evaluate(scores: table, truths: imageTruths, ks: ks)

        let textCount = texts.shape[0]
        var imagesOfText = Array(repeating: Set<Int>(), count: textCount)
        for (image, text) in textOfImage.enumerated() { imagesOfText[text].insert(image) }
        let transposed = Similarity.cosineTable(texts, images)
        // Texts paired with no image cannot be retrieved for; leave them out.
        let used = (0..<textCount).filter { !imagesOfText[$0].isEmpty }
        var backward = TopKAccuracy(ks: ks)
        let imageCount = images.shape[0]
        transposed.withUnsafeBufferPointer { buffer in
            for text in used {
                let row = UnsafeBufferPointer(rebasing: buffer[(text * imageCount)..<((text + 1) * imageCount)])
                backward.record(ranking: Similarity.topIndices(row, k: backward.ks.last!), truth: imagesOfText[text])
            }
        }
        return RetrievalRecall(imageToText: forward, textToImage: backward)
    }
}
