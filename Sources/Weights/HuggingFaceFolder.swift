import Foundation

/// A Hugging Face model folder: `config.json` beside `model.safetensors`
/// (or shards listed in `model.safetensors.index.json`).
public struct HuggingFaceFolder: Sendable {
    /// The folder.
    public let url: URL

    /// A folder at `url`, which must exist and be a directory.
    /// - Throws: ``WeightsError/io(path:reason:)`` otherwise.
    public init(url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw WeightsError.io(path: url.path, reason: "no such folder")
        }
        guard isDirectory.boolValue else { throw WeightsError.io(path: url.path, reason: "not a folder") }
        self.url = url
    }

    /// `config.json` in the folder.
    public var configURL: URL { url.appendingPathComponent("config.json") }

    /// The bytes of `config.json`.
    /// - Throws: ``WeightsError/io(path:reason:)`` when it is missing or unreadable.
    public func configData() throws -> Data {
        do {
            return try Data(contentsOf: configURL)
        } catch {
            throw WeightsError.io(path: configURL.path, reason: "cannot read config.json (\(error.localizedDescription))")
        }
    }

    /// The weights: `model.safetensors`, or every shard named in `model.safetensors.index.json`'s `weight_map`.
    /// - Throws: ``WeightsError`` when neither exists or a file is unreadable or malformed.
    public func openWeights() throws -> any TensorArchive {
        let single = url.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: single.path) {
            return try SafeTensorsFile(url: single)
        }
        let index = url.appendingPathComponent("model.safetensors.index.json")
        guard let data = FileManager.default.contents(atPath: index.path) else {
            throw WeightsError.io(path: url.path, reason: "no model.safetensors or model.safetensors.index.json in the folder")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let weightMap = object["weight_map"] as? [String: String]
        else {
            throw WeightsError.malformed(source: index.path, reason: "no 'weight_map' object of tensor name → file")
        }
        let shardNames = Set(weightMap.values).sorted()
        let shards = try shardNames.map { try SafeTensorsFile(url: url.appendingPathComponent($0)) as any TensorArchive }
        let combined = try CombinedTensorArchive(shards)
        for (name, file) in weightMap where combined.info(name) == nil {
            throw WeightsError.missingTensor(name: name, source: url.appendingPathComponent(file).path)
        }
        return combined
    }
}
