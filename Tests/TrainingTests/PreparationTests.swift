import Foundation
import ScenarioModel
import Scenes
import Testing
import Tokenizer
@testable import Training

/// Preparing a scene dataset folder in Swift gives exactly what `tools/prepare_training_data.py` writes
/// (PIL + torchvision resizing, open_clip tokenisation) on a small generated dataset.
@Suite struct PreparationTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("prepare")
    static let sizes = PreparationSizes(imageSize: 32, sourceSize: 40, context: 12)

    static func prepare(_ folder: URL, workers: Int = 2) throws -> PreparedDataset {
        try PreparedDataset.prepare(SceneDataset.load(from: folder), sizes: sizes, tokenizer: CLIPTokenizer.bundled(),
                                    workers: workers)
    }

    /// Copies the fixture dataset to a temporary folder that a test may damage.
    static func scratchCopy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prepare-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("dataset"), to: dir)
        return dir
    }

    static func expectEqual(_ a: PreparedDataset, _ b: PreparedDataset) {
        #expect(a.imageSize == b.imageSize && a.sourceSize == b.sourceSize && a.context == b.context && a.fit == b.fit)
        #expect(a.globalEval == b.globalEval)
        #expect(a.globalSource == b.globalSource)
        #expect(a.objectPixels == b.objectPixels)
        #expect(a.relationPixels == b.relationPixels)
        #expect(a.actionIds == b.actionIds)
        #expect(a.objectIds == b.objectIds)
        #expect(a.relationIds == b.relationIds)
        #expect(a.objectsPerScene == b.objectsPerScene && a.relationsPerScene == b.relationsPerScene)
        #expect(a.split == b.split && a.unseen == b.unseen)
        #expect(a.actionClass == b.actionClass && a.objectClass == b.objectClass && a.relationClass == b.relationClass)
        #expect(a.classNames == b.classNames)
        #expect(a.classIds == b.classIds)
    }

    @Test func equalsThePythonTool() throws {
        let expected = try PreparedDataset(contentsOf: Self.fixtures.appendingPathComponent("expected.safetensors"))
        let prepared = try Self.prepare(Self.fixtures.appendingPathComponent("dataset"))
        #expect(prepared.sceneCount == 6)
        #expect(prepared.objectClass.count == 19 && prepared.relationClass.count == 13)
        Self.expectEqual(prepared, expected)
    }

    /// The stretch fit (whole picture squeezed to a square) equals `prepare_training_data.py --fit stretch`,
    /// differs from the centre crop on these 4:3 pictures, and survives a write and read.
    @Test func stretchFitEqualsThePythonTool() throws {
        let expected = try PreparedDataset(contentsOf: Self.fixtures.appendingPathComponent("expected_stretch.safetensors"))
        var sizes = Self.sizes
        sizes.fit = .stretch
        let folder = Self.fixtures.appendingPathComponent("dataset")
        let prepared = try PreparedDataset.prepare(SceneDataset.load(from: folder), sizes: sizes,
                                                   tokenizer: CLIPTokenizer.bundled(), workers: 2)
        #expect(expected.fit == .stretch)
        Self.expectEqual(prepared, expected)
        let cropped = try Self.prepare(folder)
        #expect(cropped.fit == .centerCrop)
        #expect(cropped.globalEval != prepared.globalEval && cropped.globalSource != prepared.globalSource)
        #expect(cropped.relationPixels != prepared.relationPixels)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stretch-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try prepared.write(to: url, source: "test")
        Self.expectEqual(try PreparedDataset(contentsOf: url), prepared)
    }

    @Test func resultDoesNotDependOnWorkerCount() throws {
        let folder = Self.fixtures.appendingPathComponent("dataset")
        Self.expectEqual(try Self.prepare(folder, workers: 1), try Self.prepare(folder, workers: 3))
    }

    @Test func writtenFileReadsBackEqual() throws {
        let prepared = try Self.prepare(Self.fixtures.appendingPathComponent("dataset"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("prepared-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try prepared.write(to: url, source: "test")
        Self.expectEqual(try PreparedDataset(contentsOf: url), prepared)
    }

    @Test func corruptImageNamesTheScene() throws {
        let dir = try Self.scratchCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("images/000003.jpg")
        let bytes = try Data(contentsOf: image)
        try bytes.prefix(bytes.count / 3).write(to: image)
        #expect {
            try Self.prepare(dir)
        } throws: { error in
            let text = "\(error)"
            return text.contains("scene '000003'") && text.contains("metadata.json record 3") && text.contains("000003.jpg")
        }
    }

    /// The dataset's own validation runs first and names record, field and label.
    @Test func labelOutsideTheClassesNamesSceneAndField() throws {
        let dir = try Self.scratchCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let classesURL = dir.appendingPathComponent("classes.json")
        var classes = try JSONSerialization.jsonObject(with: Data(contentsOf: classesURL)) as! [String: [String]]
        let dataset = try SceneDataset.load(from: dir)
        let firstObject = dataset.records[0].objects[0].name
        classes["objects"] = classes["objects"]!.filter { $0 != firstObject }
        try JSONSerialization.data(withJSONObject: classes).write(to: classesURL)
        #expect {
            try Self.prepare(dir)
        } throws: { error in
            let text = "\(error)"
            return text.contains("id \"\(dataset.records[0].id)\"") && text.contains("objects[0]")
                && text.contains("\"\(firstObject)\" is not in classes.json") && text.contains("scenarioclip check")
        }
    }
}
