import Foundation
import Imaging
import Scenes
import Testing
@testable import SceneGenerator

/// The bundled demo in Assets/demo is exactly what its documented command produces.
@Suite struct DemoDatasetTests {
    static let demo = repositoryRoot.appendingPathComponent("Assets/demo", isDirectory: true)

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: demo.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The generator the demo's generator.json describes.
    static func generator() throws -> (SceneGenerator, quality: Int, scenes: Int) {
        let info = try json("generator.json")
        let seed = try #require(info["seed"] as? Int), width = try #require(info["width"] as? Int)
        let height = try #require(info["height"] as? Int), quality = try #require(info["quality"] as? Int)
        let counts = try #require(info["counts"] as? [String: Int])
        return (try SceneGenerator(seed: UInt64(seed), width: width, height: height), quality, counts["scenes"] ?? 0)
    }

    @Test func documentedCommandMatchesGeneratorJSON() throws {
        let info = try Self.json("generator.json")
        let command = try #require(info["command"] as? String)
        let readme = try String(contentsOf: Self.demo.appendingPathComponent("README.md"), encoding: .utf8)
        // The README documents the same command (run from the repository root, with --force for the README).
        let args = command.replacingOccurrences(of: "scenarioclip generate ", with: "").split(separator: " ").dropFirst()
        for arg in args { #expect(readme.contains(arg), "README does not mention '\(arg)'") }
        #expect(readme.contains("scenarioclip generate Assets/demo"))
    }

    @Test func firstScenesRegenerateIdentically() throws {
        let (g, quality, scenes) = try Self.generator()
        #expect(scenes >= 200)
        let data = try #require(try Self.json("metadata.json")["data"] as? [[String: Any]])
        #expect(data.count == scenes)
        let loaded = try SceneDataset.load(from: Self.demo).records
        #expect(loaded.count == scenes)
        for i in [0, 1, 2, scenes - 1] {
            let scene = try g.scene(at: i)
            #expect(scene.record(in: Self.demo) == loaded[i], "record \(i) differs from the demo")
            // Same pixels up to JPEG loss, and far from another scene's.
            let stored = try JPEG.decode(contentsOf: Self.demo.appendingPathComponent("images/\(scene.id).jpg"))
            let roundTrip = try JPEG.decode(data: JPEG.encode(scene.image, quality: quality), source: "re-encoded")
            #expect(Self.meanAbsoluteDifference(stored, scene.image) < 3.5)
            #expect(Self.meanAbsoluteDifference(stored, roundTrip) < 0.5)
            let other = try g.scene(at: i + 1).image
            #expect(Self.meanAbsoluteDifference(stored, other) > 10)
        }
    }

    @Test func classesAndFilesMatchTheRecords() throws {
        let data = try #require(try Self.json("metadata.json")["data"] as? [[String: Any]])
        let classes = try Self.json("classes.json") as? [String: [String]]
        var actions = Set<String>(), objects = Set<String>(), relations = Set<String>()
        let fm = FileManager.default
        for r in data {
            actions.insert(try #require(r["action"] as? String))
            let image = try #require(r["image_path"] as? String)
            #expect(fm.fileExists(atPath: Self.demo.appendingPathComponent(image).path), "missing \(image)")
            for o in try #require(r["objects"] as? [[Any]]) { objects.insert(try #require(o[0] as? String)) }
            for rel in try #require(r["relations"] as? [[Any]]) {
                let path = try #require(rel[0] as? String)
                #expect(fm.fileExists(atPath: Self.demo.appendingPathComponent(path).path), "missing \(path)")
                relations.insert(try #require(rel[1] as? [String]).joined(separator: " "))
            }
        }
        #expect(classes?["actions"] == actions.sorted())
        #expect(classes?["objects"] == objects.sorted())
        #expect(classes?["relations"] == relations.sorted())
        #expect(actions.count >= 15 && objects.count >= 12)
        // Held-out compositions only in test.
        let held = HeldOutDesign.standard
        for r in data where (r["split"] as? String) != "test" {
            #expect(!held.actions.contains(r["action"] as? String ?? ""))
            #expect(r["unseen"] as? Bool == false)
        }
    }

    static func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.pixels.count == b.pixels.count)
        var sum = 0
        for i in a.pixels.indices { sum += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(sum) / Double(a.pixels.count)
    }
}
