import Foundation
import Imaging
import Scenes

/// Writes generated scenes as a dataset in the reference format: `metadata.json` and `classes.json` through
/// ``Scenes/ReferenceDatasetWriter`` (with each record's `split` and `unseen`), the generator's own `generator.json`,
/// JPEG images in `images/` and focused-region images in `regions/`.
public struct DatasetWriter {
    public static let imagesFolder = "images"
    public static let regionsFolder = "regions"

    /// Counts of what was written.
    public struct Summary: Sendable, Equatable {
        public var scenes = 0
        public var train = 0, val = 0, test = 0, unseen = 0
        public var relations = 0
        public var bytes = 0
    }

    public let directory: URL
    /// JPEG quality 1…100.
    public let quality: Int

    /// Prepares `directory` (created if missing).
    /// - Throws: ``GeneratorError/outputNotEmpty(path:)`` when it holds files and `force` is false;
    ///   ``GeneratorError/cannotWrite(path:reason:)`` when it cannot be created or cleared.
    public init(directory: URL, quality: Int = 85, force: Bool = false) throws {
        self.directory = directory
        self.quality = quality
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory.path, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw GeneratorError.cannotWrite(path: directory.path, reason: "it is a file, not a folder")
            }
            let contents = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
            if !contents.isEmpty {
                guard force else { throw GeneratorError.outputNotEmpty(path: directory.path) }
                // Remove only what a dataset consists of, so stale records never mix with new ones.
                for name in contents
                where name == Self.imagesFolder || name == Self.regionsFolder || name == "classes.json"
                    || name == "generator.json" || (name.hasPrefix("metadata") && name.hasSuffix(".json"))
                {
                    do { try fm.removeItem(at: directory.appendingPathComponent(name)) } catch {
                        throw GeneratorError.cannotWrite(path: directory.appendingPathComponent(name).path,
                                                         reason: "\(error.localizedDescription)")
                    }
                }
            }
        }
        for sub in [Self.imagesFolder, Self.regionsFolder] {
            let url = directory.appendingPathComponent(sub, isDirectory: true)
            do { try fm.createDirectory(at: url, withIntermediateDirectories: true) } catch {
                throw GeneratorError.cannotWrite(path: url.path, reason: error.localizedDescription)
            }
        }
    }

    /// Renders scenes `0..<count` of `generator` and writes the dataset; `progress(done, total, elapsed)`
    /// is called after every scene.
    /// - Throws: ``GeneratorError`` or an ``ImagingError`` from JPEG encoding.
    @discardableResult
    public func write(_ generator: SceneGenerator, count: Int, command: String? = nil,
                      progress: (Int, Int) -> Void = { _, _ in }) throws -> Summary {
        var summary = Summary()
        var metadata: ReferenceDatasetWriter
        do { metadata = try ReferenceDatasetWriter(directory: directory) } catch { throw generatorError(error) }
        do {
            for index in 0..<count {
                let scene = try generator.scene(at: index)
                summary.bytes += try writeJPEG(scene.image, scene.imagePath)
                for k in scene.relations.indices {
                    summary.bytes += try writeJPEG(scene.regionImage(k), scene.regionPath(k))
                }
                try metadata.append(scene.record(in: directory))
                summary.scenes += 1
                summary.relations += scene.relations.count
                switch scene.split {
                case .train: summary.train += 1
                case .val: summary.val += 1
                case .test: summary.test += 1
                }
                if scene.unseen { summary.unseen += 1 }
                progress(index + 1, count)
            }
            try metadata.finish()
        } catch {
            metadata.abandon()
            throw generatorError(error)
        }
        for name in ["metadata.json", "classes.json"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)[.size]) as? Int
            summary.bytes += size ?? 0
        }
        summary.bytes += try writeText(Self.generatorJSON(generator, summary: summary, quality: quality, command: command),
                                       "generator.json")
        return summary
    }

    // MARK: JSON

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static func generatorJSON(_ g: SceneGenerator, summary: Summary, quality: Int, command: String?) throws -> String {
        struct Counts: Encodable { var scenes, train, val, test, unseen, relations: Int }
        struct HeldOut: Encodable {
            var actions: [String]
            var triples: [String]
            var actionObjects: [[String]]
            enum CodingKeys: String, CodingKey { case actions, triples, actionObjects = "action_objects" }
        }
        struct Info: Encodable {
            var generator = "scenarioclip generate"
            var command: String?
            var seed: UInt64
            var width: Int
            var height: Int
            var quality: Int
            var counts: Counts
            var heldOut: HeldOut
            var unseenFraction: Double
            var splitFractions: [String: Double]
            enum CodingKeys: String, CodingKey {
                case generator, command, seed, width, height, quality, counts, heldOut = "held_out"
                case unseenFraction = "unseen_fraction", splitFractions = "split_fractions"
            }
        }
        let held = HeldOut(actions: g.heldOut.actions, triples: g.heldOut.allTriples.sorted().map(\.description),
                           actionObjects: g.heldOut.actionObjects.map { [$0.action, $0.object.name] })
        let info = Info(command: command, seed: g.seed, width: g.width, height: g.height, quality: quality,
                        counts: Counts(scenes: summary.scenes, train: summary.train, val: summary.val, test: summary.test,
                                       unseen: summary.unseen, relations: summary.relations),
                        heldOut: held, unseenFraction: g.unseenFraction,
                        splitFractions: ["train": g.trainFraction, "val": g.valFraction,
                                         "test": ((1 - g.trainFraction - g.valFraction) * 1e6).rounded() / 1e6])
        let e = encoder()
        e.outputFormatting.insert(.prettyPrinted)
        return String(decoding: try e.encode(info), as: UTF8.self) + "\n"
    }

    // MARK: Files

    /// A metadata writer's ``Scenes/ScenesError`` as the generator's ``GeneratorError/cannotWrite(path:reason:)``;
    /// other errors (JPEG encoding, the generator's own) as they are.
    private func generatorError(_ error: any Error) -> any Error {
        guard let error = error as? ScenesError else { return error }
        return GeneratorError.cannotWrite(path: directory.path, reason: "\(error)")
    }

    private func writeJPEG(_ image: RGBImage, _ relativePath: String) throws -> Int {
        let data = try JPEG.encode(image, quality: quality)
        try writeData(data, relativePath)
        return data.count
    }

    private func writeText(_ text: String, _ relativePath: String) throws -> Int {
        let data = Data(text.utf8)
        try writeData(data, relativePath)
        return data.count
    }

    private func writeData(_ data: Data, _ relativePath: String) throws {
        let url = directory.appendingPathComponent(relativePath)
        do { try data.write(to: url, options: .atomic) } catch {
            throw GeneratorError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}
