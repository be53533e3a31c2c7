import Crypto
import Foundation

/// One shard of a dataset split N ways for indexing on several machines: shard `index` of `count` (counted
/// from 0) holds the scenes whose record id hashes to `index` — the first 8 bytes of the SHA-256 of the id's
/// UTF-8 text, read big-endian, modulo `count`. The assignment depends on the id alone, so shards never overlap,
/// adding scenes never moves others between shards, and `tools/compute_embeddings.py --shard I/N` picks the
/// same scenes.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// - Throws: ``ShardSpecError/invalid(_:detail:)`` unless `0 <= index < count`.
    public init(index: Int, count: Int) throws {
        guard count > 0, index >= 0, index < count else {
            throw ShardSpecError.invalid("\(index)/\(count)", detail: "need 0 <= I < N")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (as written by ``description``).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardSpecError.invalid(text, detail: "expected I/N, e.g. 0/4")
        }
        try self.init(index: index, count: count)
    }

    /// The shard of a Slurm array task: `SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN` of
    /// `SLURM_ARRAY_TASK_COUNT` (a missing `SLURM_ARRAY_TASK_MIN` counts as 0), so `--array=0-3` and
    /// `--array=1-4` both give shards 0/4 … 3/4. Arrays with a step (`--array=0-7:2`) are refused: their ids
    /// do not count up by one.
    public static func fromSlurm(environment: [String: String]) throws -> ShardSpec {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ShardSpecError.slurm("\(name) is '\(text)', not a number")
            }
            return value
        }
        guard let id = try number("SLURM_ARRAY_TASK_ID") else {
            throw ShardSpecError.slurm("SLURM_ARRAY_TASK_ID is not set: run this inside an array job (sbatch --array=0-N)")
        }
        guard let count = try number("SLURM_ARRAY_TASK_COUNT") else {
            throw ShardSpecError.slurm("SLURM_ARRAY_TASK_COUNT is not set (SLURM_ARRAY_TASK_ID is \(id))")
        }
        let minimum = try number("SLURM_ARRAY_TASK_MIN") ?? 0
        if let step = try number("SLURM_ARRAY_TASK_STEP"), step != 1 {
            throw ShardSpecError.slurm("SLURM_ARRAY_TASK_STEP is \(step): use a contiguous array (--array=0-\(count - 1))")
        }
        do {
            return try ShardSpec(index: id - minimum, count: count)
        } catch {
            throw ShardSpecError.slurm("task \(id) - minimum \(minimum) is not a shard of \(count)")
        }
    }

    /// The shard (of `count`) that holds the scene with this record id.
    public static func shard(ofSceneID id: String, count: Int) -> Int {
        let digest = Array(SHA256.hash(data: Data(id.utf8)))
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        return Int(value % UInt64(max(1, count)))
    }

    /// Whether this shard holds the scene with this record id.
    public func contains(sceneID: String) -> Bool {
        Self.shard(ofSceneID: sceneID, count: count) == index
    }

    public var description: String { "\(index)/\(count)" }

    /// `shard-0001-of-0004.sqlite`: the file name of this shard's cache.
    public var cacheFileName: String {
        String(format: "shard-%04d-of-%04d.sqlite", index, count)
    }
}

/// A shard that cannot be read from the command line or the Slurm environment.
public enum ShardSpecError: Error, CustomStringConvertible, Equatable {
    case invalid(String, detail: String)
    case slurm(String)

    public var description: String {
        switch self {
        case .invalid(let text, let detail): return "invalid shard '\(text)': \(detail)"
        case .slurm(let detail): return "--shard slurm: \(detail)"
        }
    }
}
