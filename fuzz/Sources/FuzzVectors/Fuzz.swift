import EmbeddingCache
import Foundation
import FuzzSupport
import GRDB

/// The cache's vector chunks as a damaged file holds them: each input replaces the `vector_chunks`,
/// `vector_slots` and `vector_lists` rows of a small cache (8 global items, keys 1...8) through a second SQLite
/// connection, then reads them back through ``EmbeddingCache`` — `loadLevel` (chunk decoding, matrix
/// allocation, search lists), `vector(for:)`, the counts — and, when asked, writes over them (`store` into and
/// `remove` from damaged chunks). Every failure must be an ``EmbeddingCacheError``.
///
/// Input, little-endian, missing bytes read as 0:
/// - `UInt8` flags: bit 0 an f32 cache (else f16); bit 1 store vectors of width 4 for keys 1 and 2; bit 2 a
///   `vector_lists` row follows the chunks; bit 3 delete the vectors no item uses.
/// - `UInt8` chunk count (mod 5), then per chunk: `Int64` width, `Int64` count, `Int64` slot row offset,
///   `UInt16` key bytes, `UInt16` vector bytes, the key ids blob, the vectors blob. Each of the chunk's first 16
///   key ids gets a slot (row = index + offset).
/// - With bit 2: `Int64` width, `Int64` lists, `UInt16` centroid bytes, `UInt16` key bytes, `UInt16` assignment
///   bytes, then the three blobs.
struct FuzzCache {
    let cache: EmbeddingCache
    let raw: DatabaseQueue
    let setID: Int64

    init(encoding: VectorEncoding) {
        let url = ScratchFile.folder.appendingPathComponent("cache-\(encoding.rawValue).sqlite")
        cache = try! EmbeddingCache.open(at: url, options: CacheOptions(encoding: encoding))
        let keys = (0..<8).map { ItemKey(rawValue: "image:\($0)") }
        try! cache.write { batch in
            try batch.replaceAllItems(keys.enumerated().map { DatasetItem(sceneID: "s\($0.offset)", level: .global, index: 0, key: $0.element) })
            for key in keys { try batch.storeVector([1, 2, 3, 4], for: key, fingerprint: "m", level: .global) }
        }
        raw = try! DatabaseQueue(path: url.path)
        setID = try! raw.read { try Int64.fetchOne($0, sql: "SELECT id FROM vector_sets")! }
    }
}

let caches = [FuzzCache(encoding: .f16), FuzzCache(encoding: .f32)]

/// Reads little-endian fields from the input, zeros past its end.
struct Fields {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size where at + i < bytes.count { value |= T(truncatingIfNeeded: bytes[at + i]) << (8 * i) }
        at += MemoryLayout<T>.size
        return value
    }

    mutating func blob(_ count: Int) -> Data {
        let start = min(at, bytes.count), end = min(at + count, bytes.count)
        at += count
        return Data(bytes[start..<end])
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var fields = Fields(bytes: UnsafeBufferPointer(start: data, count: size))
    let flags = fields.integer(UInt8.self)
    let target = caches[Int(flags & 1)]
    let chunkCount = Int(fields.integer(UInt8.self) % 5)
    try! target.raw.write { db in
        try db.execute(sql: "DELETE FROM vector_chunks; DELETE FROM vector_slots; DELETE FROM vector_lists")
        for _ in 0..<chunkCount {
            let width = fields.integer(Int64.self), count = fields.integer(Int64.self), offset = fields.integer(Int64.self)
            let keyBytes = Int(fields.integer(UInt16.self)), vectorBytes = Int(fields.integer(UInt16.self))
            let keys = fields.blob(keyBytes), vectors = fields.blob(vectorBytes)
            try db.execute(
                sql: "INSERT INTO vector_chunks (set_id, width, count, key_ids, vectors) VALUES (?, ?, ?, ?, ?)",
                arguments: [target.setID, width, count, keys, vectors])
            let chunk = db.lastInsertedRowID
            for j in 0..<min(16, keys.count / 8) {
                let key = keys.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * j, as: Int64.self)) }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO vector_slots (set_id, key_id, chunk, row) VALUES (?, ?, ?, ?)",
                    arguments: [target.setID, key, chunk, Int64(j) &+ offset])
            }
        }
        if flags & 4 != 0 {
            let width = fields.integer(Int64.self), lists = fields.integer(Int64.self)
            let centroidBytes = Int(fields.integer(UInt16.self)), keyBytes = Int(fields.integer(UInt16.self))
            let assignmentBytes = Int(fields.integer(UInt16.self))
            let centroids = fields.blob(centroidBytes), keys = fields.blob(keyBytes), assignments = fields.blob(assignmentBytes)
            try db.execute(
                sql: """
                    INSERT INTO vector_lists (set_id, width, lists, centroids, key_ids, assignments, trained_at)
                    VALUES (?, ?, ?, ?, ?, ?, 0)
                    """,
                arguments: [target.setID, width, lists, centroids, keys, assignments])
        }
    }
    let cache = target.cache
    do {
        let level = try cache.loadLevel(fingerprint: "m", level: .global)
        precondition(level.count == 0 || level.matrix.shape == [level.count, level.width], "matrix \(level.matrix.shape) for \(level.count) rows")
    } catch is EmbeddingCacheError {} catch { preconditionFailure("loadLevel: not a cache error: \(error)") }
    for key in 0..<3 {
        do { _ = try cache.vector(for: ItemKey(rawValue: "image:\(key)"), fingerprint: "m", level: .global) }
        catch is EmbeddingCacheError {} catch { preconditionFailure("vector(for:): not a cache error: \(error)") }
    }
    do { _ = try cache.vectorCounts() } catch is EmbeddingCacheError {} catch { preconditionFailure("vectorCounts: \(error)") }
    if flags & 2 != 0 {
        do {
            try cache.write { batch in
                try batch.storeVector([5, 6, 7, 8], for: ItemKey(rawValue: "image:0"), fingerprint: "m", level: .global)
                try batch.storeVector([9, 10, 11, 12], for: ItemKey(rawValue: "image:1"), fingerprint: "m", level: .global)
            }
        } catch is EmbeddingCacheError {} catch { preconditionFailure("storeVector: not a cache error: \(error)") }
    }
    if flags & 8 != 0 {
        do { _ = try cache.write { try $0.deleteUnreferencedVectors(fingerprint: "m") } }
        catch is EmbeddingCacheError {} catch { preconditionFailure("deleteUnreferencedVectors: not a cache error: \(error)") }
    }
    return 0
}
