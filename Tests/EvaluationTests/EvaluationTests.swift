import Testing
@testable import Evaluation
import Numerics

@Suite struct SimilarityTests {
    @Test func topIndicesMatchesStableSort() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<200 {
            // Few distinct values so ties are common.
            let values = (0..<37).map { _ in Float(Int(rng.next() % 7)) }
            let expected = values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
            for k in [1, 5, 10, 37, 50] {
                let got = values.withUnsafeBufferPointer { Similarity.topIndices($0, k: k) }
                #expect(got == Array(expected.prefix(k)))
            }
        }
    }

    @Test func cosineTableIsScaleInvariant() {
        let a = Tensor(shape: [2, 2], values: [3, 0, 1, 1])
        let b = Tensor(shape: [2, 2], values: [0, 5, 2, 2])
        let t = Similarity.cosineTable(a, b).scalars
        let expected: [Float] = [0, 0.70710677, 0.70710677, 1]
        for (x, y) in zip(t, expected) { #expect(abs(x - y) < 1e-6) }
    }
}

@Suite struct TopKAccuracyTests {
    @Test func hitWhenAnyTopKClassIsAnnotated() {
        // Rankings: item 0 ranks [2, 0, 1]; item 1 ranks [1, 2, 0].
        let scores = Tensor(shape: [2, 3], values: [0.5, 0.1, 0.9, 0.0, 0.8, 0.3])
        let accuracy = TopKAccuracy.evaluate(scores: scores, truths: [[0], [0, 2]], ks: [1, 2, 3])
        #expect(accuracy.total == 2)
        #expect(accuracy.hits == [0, 2, 2])
        #expect(accuracy.accuracy(at: 1) == 0)
        #expect(accuracy.accuracy(at: 2) == 1)
    }

    @Test func mergeAddsCounts() {
        var a = TopKAccuracy(ks: [1])
        a.record(ranking: [0], truth: [0])
        var b = TopKAccuracy(ks: [1])
        b.record(ranking: [1], truth: [0])
        a.merge(b)
        #expect(a.total == 2 && a.hits == [1])
    }
}

@Suite struct RetrievalRecallTests {
    @Test func perfectPairsAndSharedTexts() {
        // Three images, two texts; images 0 and 2 share text 0.
        let images = Tensor(shape: [3, 2], values: [1, 0, 0, 1, 0.9, 0.1])
        let texts = Tensor(shape: [2, 2], values: [1, 0, 0, 1])
        let recall = RetrievalRecall.evaluate(images: images, texts: texts, textOfImage: [0, 1, 0], ks: [1])
        #expect(recall.imageToText.hits == [3])
        #expect(recall.textToImage.total == 2)
        #expect(recall.textToImage.hits == [2])
    }

    @Test func wrongPairsMiss() {
        let images = Tensor(shape: [2, 2], values: [1, 0, 0, 1])
        let texts = Tensor(shape: [2, 2], values: [1, 0, 0, 1])
        let recall = RetrievalRecall.evaluate(images: images, texts: texts, textOfImage: [1, 0], ks: [1, 2])
        #expect(recall.imageToText.hits == [0, 2])
        #expect(recall.textToImage.hits == [0, 2])
    }
}

@Suite struct LinearProbeTests {
    @Test func adamWMatchesPyTorch() {
        // torch.optim.AdamW(lr=1e-2, weight_decay=0.1) on [0.5, -0.3, 2.0] after three steps with these
        // gradients gives [0.480962038, -0.289187163, 2.00547028] (PyTorch 2.13).
        var optimizer = AdamW(count: 3, learningRate: 1e-2, weightDecay: 0.1)
        var parameters: [Float] = [0.5, -0.3, 2.0]
        for gradients: [Float] in [[0.1, -0.2, 0.0], [0.3, 0.1, -1.0], [-0.5, 0.2, 0.25]] {
            optimizer.step(parameters: &parameters, gradients: gradients, offset: 0)
            optimizer.finishStep()
        }
        let expected: [Float] = [0.480962038, -0.289187163, 2.00547028]
        for (x, y) in zip(parameters, expected) { #expect(abs(x - y) < 2e-6) }
    }

    @Test func learnsSeparableClustersDeterministically() {
        var rng = SplitMix64(seed: 11)
        let classes = ["a", "b", "c", "d"]
        let width = 16
        let centres = (0..<classes.count).map { _ in (0..<width).map { _ in rng.nextGaussian() * 2 } }
        var values: [Float] = []
        var labels: [Int] = []
        for i in 0..<400 {
            let label = i % classes.count
            labels.append(label)
            values += centres[label].map { $0 + rng.nextGaussian() * 0.5 }
        }
        let embeddings = Tensor(shape: [labels.count, width], values: values)
        var settings = LinearProbe.Settings()
        settings.epochs = 20
        settings.learningRate = 1e-2
        var losses: [Float] = []
        let probe = LinearProbe.train(embeddings: embeddings, labels: labels, classes: classes, settings: settings) {
            losses.append($1)
        }
        #expect(losses.count == 20)
        #expect(losses.last! < losses.first! / 4)
        let accuracy = TopKAccuracy.evaluate(scores: probe.logits(embeddings), truths: labels.map { [$0] }, ks: [1])
        #expect(accuracy.accuracy(at: 1) > 0.97)
        let again = LinearProbe.train(embeddings: embeddings, labels: labels, classes: classes, settings: settings)
        #expect(again == probe)
    }
}
