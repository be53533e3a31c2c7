import ScenarioModel

/// Assembles ``TrainingBatch``es from a ``PreparedDataset``: augmented for training, plain for evaluation.
public struct BatchBuilder: Sendable {
    public let dataset: PreparedDataset

    public init(dataset: PreparedDataset) {
        self.dataset = dataset
    }

    /// A batch of `scenes`; applies train-time augmentations drawn from `rng` when `augment` is set. Only the
    /// levels in `pixelLevels` get pictures (the others' stay empty); every level gets its token ids and counts.
    public func batch(scenes: [Int], augment: Bool, rng: inout TrainingRandom,
                      pixelLevels: Set<Level> = Set(Level.allCases)) -> TrainingBatch {
        let d = dataset
        let s = d.imageSize, r = d.sourceSize, c = d.context
        let plane = s * s * 3
        var pixels: [Level: [Float]] = [.global: [], .object: [], .relation: []]
        var ids: [Level: [Int32]] = [.global: [], .object: [], .relation: []]
        var objectsPer: [Int] = [], relationsPer: [Int] = []
        d.globalEval.withUnsafeBufferPointer { ge in
            d.globalSource.withUnsafeBufferPointer { gs in
                d.objectPixels.withUnsafeBufferPointer { op in
                    d.relationPixels.withUnsafeBufferPointer { rp in
                        for scene in scenes {
                            let globalPicture = pixelLevels.contains(.global)
                            if globalPicture && augment {
                                let src = UnsafeBufferPointer(rebasing: gs[(scene * r * r * 3)..<((scene + 1) * r * r * 3)])
                                var img = Augmenter.randomResizedCrop(src, sourceSide: r, outputSide: s, rng: &rng)
                                if rng.uniform() < 0.2 { Augmenter.jitter(&img, Augmenter.globalJitter, rng: &rng) }
                                if rng.uniform() < 0.1 {
                                    Augmenter.blur(&img, side: s, sigma: rng.uniform(0.1, 1.5) * Float(s) / 224)
                                }
                                Augmenter.normalize(floats: img, side: s, into: &pixels[.global]!)
                            } else if globalPicture {
                                Augmenter.normalize(UnsafeBufferPointer(rebasing: ge[(scene * plane)..<((scene + 1) * plane)]),
                                                    side: s, into: &pixels[.global]!)
                            }
                            ids[.global]! += d.actionIds[(scene * c)..<((scene + 1) * c)]
                            for (level, count, offset, source, tokenIds, jitter) in [
                                (Level.object, d.objectsPerScene[scene], d.objectOffsets[scene], op, d.objectIds,
                                 Augmenter.objectJitter),
                                (.relation, d.relationsPerScene[scene], d.relationOffsets[scene], rp, d.relationIds,
                                 Augmenter.relationJitter),
                            ] {
                                for k in offset..<(offset + count) {
                                    ids[level]! += tokenIds[(k * c)..<((k + 1) * c)]
                                    guard pixelLevels.contains(level) else { continue }
                                    let px = UnsafeBufferPointer(rebasing: source[(k * plane)..<((k + 1) * plane)])
                                    if augment && rng.uniform() < 0.2 {
                                        var img = px.map { Float($0) / 255 }
                                        Augmenter.jitter(&img, jitter, rng: &rng)
                                        Augmenter.normalize(floats: img, side: s, into: &pixels[level]!)
                                    } else {
                                        Augmenter.normalize(px, side: s, into: &pixels[level]!)
                                    }
                                }
                            }
                            objectsPer.append(d.objectsPerScene[scene])
                            relationsPer.append(d.relationsPerScene[scene])
                        }
                    }
                }
            }
        }
        return TrainingBatch(imageSize: s, tokens: c, pixels: pixels, ids: ids, objectsPerScene: objectsPer,
                             relationsPerScene: relationsPer)
    }
}
