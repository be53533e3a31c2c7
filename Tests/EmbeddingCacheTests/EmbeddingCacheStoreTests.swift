import Foundation
import GRDB
import Numerics
import Testing

@testable import EmbeddingCache

@Suite struct EmbeddingCacheStoreTests {
    let key = ItemKey.image(ContentHash(of: Data("scene".utf8)))

    @Test(arguments: VectorEncoding.allCases)
    func vectorsRoundTrip(encoding: VectorEncoding) throws {
        let cache = try EmbeddingCache.inMemory(encoding: encoding)
        let vector = testVector(1, width: 512)
        try cache.write { try $0.storeVector(vector, for: key, fingerprint: "m1", level: .global) }
        let back = try #require(try cache.vector(for: key, fingerprint: "m1", level: .global))
        #expect(back.count == 512)
        let tolerance: Float = encoding == .f32 ? 0 : 1e-3  // half precision: relative error ≤ 2^-11
        #expect(zip(back, vector).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) })
        #expect(try cache.vector(for: key, fingerprint: "m1", level: .object) == nil)
        #expect(try cache.vector(for: key, fingerprint: "other", level: .global) == nil)
        #expect(try cache.schemaInfo() == ["format": "5", "vector_encoding": encoding.rawValue])
    }

    @Test func f16EncodingRoundsLikeFloat16() {
        for value: Float in [0, -0, 1, -2.5, 65504, 1e-7, 0.333, .infinity] {
            let blob = VectorEncoding.f16.encode([value])
            #expect(VectorEncoding.f16.decode(blob) == [Float(Float16(value))])
        }
        #expect(VectorEncoding.f32.decode(Data([1, 2, 3])) == nil)
    }

    @Test func everyHalfBitPatternDecodesLikeFloat16() throws {
        // All 65,536 patterns in one blob (the bulk kernel), then an odd-length tail (its scalar path).
        var blob = Data()
        for bits in 0...UInt16.max { withUnsafeBytes(of: bits.littleEndian) { blob.append(contentsOf: $0) } }
        let decoded = try #require(VectorEncoding.f16.decode(blob))
        for bits in 0...UInt16.max {
            let want = Float(Float16(bitPattern: bits))
            let got = decoded[Int(bits)]
            #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN), "half 0x\(String(bits, radix: 16))")
        }
        let tail = try #require(VectorEncoding.f16.decode(blob[2..<16]))
        #expect(tail == (1..<8).map { Float(Float16(bitPattern: UInt16($0))) })
    }

    @Test func failedBatchWritesNothing() throws {
        struct Stop: Error {}
        let cache = try EmbeddingCache.inMemory()
        #expect(throws: Stop.self) {
            try cache.write { batch in
                try batch.storeVector(testVector(1), for: key, fingerprint: "m", level: .global)
                throw Stop()
            }
        }
        #expect(try cache.vector(for: key, fingerprint: "m", level: .global) == nil)
    }

    @Test func loadLevelGivesOneMatrixInItemOrderSkippingMissingVectors() throws {
        let cache = try EmbeddingCache.inMemory(encoding: .f32)
        let keys = (0..<5).map { ItemKey.crop(ContentHash(of: Data("img\($0 / 2)".utf8)), x1: $0, y1: 0, x2: 10, y2: 10) }
        let items = keys.enumerated().map { DatasetItem(sceneID: "s\($0.offset / 2)", level: .object, index: $0.offset % 2, key: $0.element) }
        try cache.write { batch in
            try batch.replaceAllItems(items + [DatasetItem(sceneID: "s0", level: .global, index: 0, key: key)])
            for (i, k) in keys.enumerated() where i != 3 {
                try batch.storeVector(testVector(i), for: k, fingerprint: "m", level: .object)
            }
            try batch.storeVector(testVector(9), for: keys[3], fingerprint: "other", level: .object)
        }
        let loaded = try cache.loadLevel(fingerprint: "m", level: .object)
        #expect(loaded.count == 4)
        #expect(loaded.width == 8)
        #expect(loaded.sceneIDs == ["s0", "s0", "s1", "s2"])
        #expect(loaded.itemIndices == [0, 1, 0, 0])
        #expect(loaded.matrix.shape == [4, 8])
        #expect(loaded.matrix.scalars == [0, 1, 2, 4].flatMap { testVector($0) })
        #expect(try cache.loadLevel(fingerprint: "m", level: .relation).count == 0)
        #expect(try cache.missingKeys(keys, fingerprint: "m", level: .object) == [keys[3]])
        #expect(try cache.items(level: .object) == items)
        #expect(try cache.vectorCounts().map { "\($0.fingerprint) \($0.level) \($0.count)" } == ["m object 4", "other object 1"])
    }

    @Test func mixedWidthsAreReportedAsDamage() throws {
        let cache = try EmbeddingCache.inMemory()
        let other = ItemKey.region(ContentHash(of: Data("r".utf8)))
        try cache.write { batch in
            try batch.replaceAllItems([
                DatasetItem(sceneID: "a", level: .relation, index: 0, key: key),
                DatasetItem(sceneID: "a", level: .relation, index: 1, key: other),
            ])
            try batch.storeVector(testVector(1, width: 8), for: key, fingerprint: "m", level: .relation)
            try batch.storeVector(testVector(2, width: 4), for: other, fingerprint: "m", level: .relation)
        }
        #expect(throws: EmbeddingCacheError.self) { try cache.loadLevel(fingerprint: "m", level: .relation) }
    }

    @Test func storeVectorsChecksShapes() throws {
        let cache = try EmbeddingCache.inMemory()
        let matrix = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let keys = [key, ItemKey.region(ContentHash(hex: "ab"))]
        try cache.write { try $0.storeVectors(matrix, for: keys, fingerprint: "m", level: .global) }
        #expect(try cache.vector(for: keys[1], fingerprint: "m", level: .global) == [4, 5, 6])
        #expect(throws: EmbeddingCacheError.self) {
            try cache.write { try $0.storeVectors(matrix, for: [key], fingerprint: "m", level: .global) }
        }
    }

    @Test func textVectorsAreCachedPerModelAndLevel() throws {
        let cache = try EmbeddingCache.inMemory(encoding: .f32)
        try cache.write { batch in
            try batch.storeTextVector(testVector(1), for: "cup", fingerprint: "m", level: .object)
            try batch.storeTextVector(testVector(2), for: "dog", fingerprint: "m", level: .object)
            try batch.storeTextVector(testVector(3), for: "cup", fingerprint: "m", level: .global)
        }
        let found = try cache.textVectors(["cup", "dog", "ball"], fingerprint: "m", level: .object)
        #expect(found == ["cup": testVector(1), "dog": testVector(2)])
        #expect(try cache.textVectors(["cup"], fingerprint: "m2", level: .object).isEmpty)
    }

    @Test func unreferencedVectorsCanBePruned() throws {
        let cache = try EmbeddingCache.inMemory()
        let stale = ItemKey.image(ContentHash(hex: "00"))
        try cache.write { batch in
            try batch.replaceAllItems([DatasetItem(sceneID: "a", level: .global, index: 0, key: key)])
            try batch.storeVector(testVector(1), for: key, fingerprint: "m", level: .global)
            try batch.storeVector(testVector(2), for: stale, fingerprint: "m", level: .global)
        }
        #expect(try cache.write { try $0.deleteUnreferencedVectors(fingerprint: "m") } == 1)
        #expect(try cache.storedKeys(fingerprint: "m", level: .global) == [key])
    }
}
