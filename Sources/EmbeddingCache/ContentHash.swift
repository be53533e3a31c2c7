import Crypto
import Foundation

/// SHA-256 of a file's bytes, the identity of an image in the cache (renamed or moved files keep it).
public struct ContentHash: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Lower-case hexadecimal digest (64 characters).
    public let hex: String

    /// A hash from its hexadecimal text.
    public init(hex: String) {
        self.hex = hex
    }

    /// The hash of `data`.
    public init(of data: Data) {
        hex = Self.hexString(SHA256.hash(data: data))
    }

    /// Hashes a file, reading it in 1 MiB chunks.
    /// - Throws: ``EmbeddingCacheError/unreadableFile(path:reason:)``.
    public static func ofFile(at url: URL) throws -> ContentHash {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw EmbeddingCacheError.unreadableFile(path: url.path, reason: (error as NSError).localizedDescription)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
            }
        } catch {
            throw EmbeddingCacheError.unreadableFile(path: url.path, reason: (error as NSError).localizedDescription)
        }
        return ContentHash(hex: hexString(hasher.finalize()))
    }

    private static func hexString(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 15)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { hex }
}
