import Foundation
import ScenarioModel
import Testing
@testable import Training

/// End-to-end runs on a small synthetic dataset: two coloured squares per scene (objects = colours,
/// action and relation = the ordered colour pair).
@Suite struct TrainingRunTests {
    static let colours: [[UInt8]] = [[230, 30, 30], [30, 200, 40], [40, 60, 230], [230, 220, 30]]
    static let names = ["red", "green", "blue", "yellow"]

    /// Writes a prepared dataset of `scenes` scenes (first 60% train, 20% validation, 20% test) to a temp file.
    static func makeDataset(scenes: Int, seed: UInt64) throws -> PreparedDataset {
        let s = 16, r = 20, c = 8
        var rng = TrainingRandom(seed: seed)
        var ge = [UInt8](), gs = [UInt8](), op = [UInt8](), rp = [UInt8]()
        var aid = [Int32](), oid = [Int32](), rid = [Int32](), ac = [Int32](), oc = [Int32](), rc = [Int32]()
        func ids(_ body: [Int32]) -> [Int32] { ([30] + body + [31] + Array(repeating: 31, count: c)).prefix(c).map { $0 } }
        func draw(_ side: Int, _ boxes: [(Int, Int)]) -> [UInt8] {
            var img = [UInt8](repeating: 0, count: side * side * 3)
            for (slot, colour) in boxes {
                let x0 = slot * side / 2 + side / 8, w = side / 4 + side / 8, y0 = side / 4
                for y in y0..<(y0 + w) { for x in x0..<(x0 + w) { for k in 0..<3 { img[(y * side + x) * 3 + k] = colours[colour][k] } } }
            }
            return img
        }
        var split = [Int32]()
        for i in 0..<scenes {
            let a = Int(rng.next() % 4)
            let b = (a + 1 + Int(rng.next() % 3)) % 4
            let pair = a * 4 + b
            ge += draw(s, [(0, a), (1, b)]); gs += draw(r, [(0, a), (1, b)])
            op += draw(s, [(0, a)]); op += draw(s, [(1, b)])
            rp += draw(s, [(0, a), (1, b)])
            aid += ids([Int32(1 + a), 10, Int32(1 + b)]); ac.append(Int32(pair))
            oid += ids([Int32(1 + a)]) + ids([Int32(1 + b)]); oc += [Int32(a), Int32(b)]
            rid += ids([Int32(1 + a), 11, Int32(1 + b)]); rc.append(Int32(pair))
            split.append(i < scenes * 6 / 10 ? 0 : (i < scenes * 8 / 10 ? 1 : 2))
        }
        var f = TrainingTensorFile()
        let n = scenes
        try f.set("global_eval", uint8s: ge, shape: [n, s, s, 3]); try f.set("global_source", uint8s: gs, shape: [n, r, r, 3])
        try f.set("object_pixels", uint8s: op, shape: [2 * n, s, s, 3]); try f.set("relation_pixels", uint8s: rp, shape: [n, s, s, 3])
        try f.set("action_ids", int32s: aid, shape: [n, c]); try f.set("object_ids", int32s: oid, shape: [2 * n, c])
        try f.set("relation_ids", int32s: rid, shape: [n, c])
        try f.set("objects_per_scene", int32s: Array(repeating: 2, count: n), shape: [n])
        try f.set("relations_per_scene", int32s: Array(repeating: 1, count: n), shape: [n])
        try f.set("split", int32s: split, shape: [n]); try f.set("unseen", int32s: Array(repeating: 0, count: n), shape: [n])
        try f.set("action_class", int32s: ac, shape: [n]); try f.set("object_class", int32s: oc, shape: [2 * n])
        try f.set("relation_class", int32s: rc, shape: [n])
        var pairNames: [String] = [], actionIds: [Int32] = [], relationIds: [Int32] = []
        for a in 0..<4 { for b in 0..<4 {
            pairNames.append("\(names[a]) \(names[b])")
            actionIds += ids([Int32(1 + a), 10, Int32(1 + b)]); relationIds += ids([Int32(1 + a), 11, Int32(1 + b)])
        } }
        try f.set("action_class_ids", int32s: actionIds, shape: [16, c])
        try f.set("object_class_ids", int32s: (0..<4).flatMap { ids([Int32(1 + $0)]) }, shape: [4, c])
        try f.set("relation_class_ids", int32s: relationIds, shape: [16, c])
        let classes = ["actions": pairNames, "objects": names, "relations": pairNames]
        f.metadata = ["image_size": "\(s)", "source_size": "\(r)", "context": "\(c)",
                      "classes": String(decoding: try JSONSerialization.data(withJSONObject: classes), as: UTF8.self)]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("training-test-\(seed)-\(UUID()).safetensors")
        try f.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try PreparedDataset(contentsOf: url)
    }

    static func options(_ architecture: TrainingArchitecture, epochs: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.architecture = architecture
        o.learningRate = 3e-3
        o.weightDecay = 0.01
        o.batchSize = 8
        o.epochs = epochs
        o.emaDecay = 0.9
        o.emaWarmupSteps = 5
        o.seed = 4
        return o
    }

    static func tinyModel(_ architecture: TrainingArchitecture) -> TrainableModel {
        TrainableModel(config: .tiny(threeLevel: architecture.isThreeLevel, vocabSize: 32), seed: 4)
    }

    static func tempDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("training-run-\(UUID())")
    }

    @Test func shortRunLowersLossAndImprovesZeroShotAccuracy() throws {
        let data = try Self.makeDataset(scenes: 80, seed: 1)
        let model = Self.tinyModel(.scenarioclip1)
        let dir = Self.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines: [String] = []
        let run = try TrainingRun(dataset: data, model: model, options: Self.options(.scenarioclip1, epochs: 12),
                                  outputDirectory: dir, checkpointEvery: 0, logEvery: 6) { lines.append($0) }
        let before = try #require(run.validationLosses())
        let testScenes = data.scenes(inSplit: 2)
        let accuracyBefore = ZeroShotAccuracy.evaluate(model: model, dataset: data, scenes: testScenes)
        try run.run()
        let after = try #require(run.validationLosses())
        let accuracyAfter = ZeroShotAccuracy.evaluate(model: model, dataset: data, scenes: testScenes)
        #expect(after.total < 0.8 * before.total, "validation loss \(before.total) → \(after.total)")
        let objBefore = accuracyBefore.accuracy(.object, .all).accuracy(at: 1)
        let objAfter = accuracyAfter.accuracy(.object, .all).accuracy(at: 1)
        #expect(objAfter >= 0.6 && objAfter > objBefore, "object top-1 \(objBefore) → \(objAfter)")
        #expect(lines.contains { $0.contains("scenes/s") && $0.contains("ETA") && $0.contains("relation") })
        #expect(lines.contains { $0.hasPrefix("epoch 12 validation") })
    }

    @Test(arguments: [TrainingArchitecture.scenarioclip1, .onelevel])
    func resumingFromACheckpointReproducesTheUninterruptedRun(_ architecture: TrainingArchitecture) throws {
        let data = try Self.makeDataset(scenes: 40, seed: 2)
        let options = Self.options(architecture, epochs: 2)
        let dirA = Self.tempDirectory(), dirB = Self.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dirA); try? FileManager.default.removeItem(at: dirB) }
        let straight = Self.tinyModel(architecture)
        try TrainingRun(dataset: data, model: straight, options: options, outputDirectory: dirA) { _ in }.run()
        let first = Self.tinyModel(architecture)
        let interrupted = try TrainingRun(dataset: data, model: first, options: options, outputDirectory: dirB) { _ in }
        interrupted.stopAfterStep = 4
        try interrupted.run()
        let resumedModel = Self.tinyModel(architecture)
        let resumed = try TrainingRun(dataset: data, model: resumedModel, options: options, outputDirectory: dirB) { _ in }
        let end = try resumed.run(resume: resumed.checkpointURL)
        #expect(end.step == 6)
        for (a, b) in zip(straight.parameters, resumedModel.parameters) {
            #expect(a.value == b.value, "\(a.name) differs after resume")
        }
    }

    @Test func trainingOnlyTheGlobalLevelLeavesTheOtherTowersUntouched() throws {
        let data = try Self.makeDataset(scenes: 60, seed: 3)
        let model = Self.tinyModel(.scenarioclip1)
        let start = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.value) })
        var options = Self.options(.scenarioclip1, epochs: 6)
        options.trainedLevels = [.global]
        let dir = Self.tempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines: [String] = []
        let run = try TrainingRun(dataset: data, model: model, options: options, outputDirectory: dir,
                                  checkpointEvery: 0, logEvery: 3) { lines.append($0) }
        let before = try #require(run.validationLosses())
        try run.run()
        let after = try #require(run.validationLosses())
        for p in model.parameters {
            if p.name.hasPrefix("global_") {
                continue
            }
            #expect(p.value == start[p.name], "\(p.name) changed")
        }
        #expect(model.parameters.contains { $0.name.hasPrefix("global_") && $0.value != start[$0.name] })
        #expect(after.contrastive[.global]! < 0.8 * before.contrastive[.global]!,
                "global validation loss \(before.contrastive[.global]!) → \(after.contrastive[.global]!)")
        #expect(after.contrastive[.object] == before.contrastive[.object])
        #expect(after.contrastive[.relation] == before.contrastive[.relation])
        // Progress lines name only the trained level; validation lines name all three.
        let progress = try #require(lines.first { $0.contains("scenes/s") })
        #expect(progress.contains("global") && !progress.contains("object") && !progress.contains("relation"))
        #expect(lines.contains { $0.hasPrefix("epoch 6 validation") && $0.contains("relation") })
    }

    @Test func batchesCarryPicturesOnlyForTheLevelsAsked() throws {
        let data = try Self.makeDataset(scenes: 20, seed: 5)
        let builder = BatchBuilder(dataset: data)
        var rngA = TrainingRandom(seed: 1), rngB = TrainingRandom(seed: 1)
        let all = builder.batch(scenes: [0, 1, 2], augment: false, rng: &rngA)
        let some = builder.batch(scenes: [0, 1, 2], augment: false, rng: &rngB, pixelLevels: [.global])
        #expect(some.pixels[.global] == all.pixels[.global])
        #expect(some.pixels[.object]!.isEmpty && some.pixels[.relation]!.isEmpty)
        #expect(all.pixels[.object]!.count == 6 * 3 * data.imageSize * data.imageSize)
        #expect(some.ids == all.ids)
        #expect(some.objectsPerScene == all.objectsPerScene && some.relationsPerScene == all.relationsPerScene)
    }

    @Test func scheduleWarmsUpThenFollowsTheCosine() {
        let s = LearningRateSchedule(baseRate: 1, totalSteps: 100, warmupRatio: 0.1)
        #expect(s.warmupSteps == 10)
        #expect(abs(s.rate(at: 0) - 0.001) < 1e-6)
        #expect(abs(s.rate(at: 5) - (0.001 + 0.999 * 0.5)) < 1e-6)
        #expect(abs(s.rate(at: 10) - 1) < 1e-6)
        #expect(abs(s.rate(at: 55) - 0.5) < 1e-6)
        #expect(s.rate(at: 100) < 1e-6)
    }

    @Test func adamWMatchesItsDefinition() {
        let p = Parameter(name: "w", shape: [2], value: [1, -2], decays: true)
        let b = Parameter(name: "b", shape: [1], value: [0.5], decays: false)
        let opt = AdamW(weightDecay: 0.1)
        p.grad = [0.5, -1]; b.grad = [2]
        opt.update([p, b], learningRate: 0.01)
        // step 1: m̂ = g, v̂ = g², update = lr · g / (|g| + eps); decay only on w.
        #expect(abs(p.value[0] - (1 * (1 - 0.001) - 0.01)) < 1e-6)
        #expect(abs(p.value[1] - (-2 * (1 - 0.001) + 0.01)) < 1e-6)
        #expect(abs(b.value[0] - (0.5 - 0.01)) < 1e-6)
    }

    /// A prepared dataset or checkpoint whose header claims 2^64 − 1 bytes is refused by name, not trapped on:
    /// training reads safetensors through Weights' checked reader.
    @Test func hostileHeaderLengthIsRefusedByName() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID()).safetensors")
        try Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B, 0x7D]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try PreparedDataset(contentsOf: url)
            Issue.record("a header length of 2^64 - 1 was accepted")
        } catch let error as TrainingError {
            guard case .malformedFile(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == url.path)
            #expect("\(error)".hasPrefix("\(url.path): not a valid safetensors file: "))
        }
    }

    /// The model config is CLIP's tower configs (what inference builds from), stored under Hugging Face's keys;
    /// checkpoints written in the earlier layout (`{"tower": {…}, "imageSize", "patchSize"}`) still load, and an
    /// unknown activation is refused when the config is read.
    @Test func modelConfigRoundTripsAndReadsTheEarlierLayout() throws {
        let tiny = TrainableModelConfig.tiny(threeLevel: true, vocabSize: 40)
        let encoded = try JSONEncoder().encode(tiny)
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect((object["vision"] as? [String: Any])?["patch_size"] as? Int == 8)
        #expect((object["text"] as? [String: Any])?["eos_token_id"] as? Int == 2)
        #expect(try JSONDecoder().decode(TrainableModelConfig.self, from: encoded) == tiny)
        let earlier = """
            {"threeLevel": true, "embedDim": 32,
             "vision": {"tower": {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2,
                                  "num_attention_heads": 2, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05},
                        "imageSize": 16, "patchSize": 8},
             "text": {"tower": {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2,
                                "num_attention_heads": 2, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05},
                      "vocabSize": 40, "maxPositionEmbeddings": 8}}
            """
        #expect(try JSONDecoder().decode(TrainableModelConfig.self, from: Data(earlier.utf8)) == tiny)
        let unknown = String(decoding: encoded, as: UTF8.self).replacingOccurrences(of: "quick_gelu", with: "swish")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TrainableModelConfig.self, from: Data(unknown.utf8)) }
    }

    @Test func malformedPreparedDatasetIsReportedByName() throws {
        var f = TrainingTensorFile()
        try f.set("split", int32s: [0], shape: [1])
        f.metadata = ["image_size": "16", "source_size": "20", "context": "8"]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).safetensors")
        try f.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: TrainingError.missingTensor(path: url.path, name: "global_eval")) {
            _ = try PreparedDataset(contentsOf: url)
        }
    }
}
