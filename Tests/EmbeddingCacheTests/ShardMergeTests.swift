import Foundation
import GRDB
import Numerics
import Testing

@testable import EmbeddingCache

@Suite struct ShardSpecTests {
    @Test func parsesAndRefuses() throws {
        let spec = try ShardSpec(parsing: "2/4")
        #expect(spec.index == 2 && spec.count == 4 && spec.description == "2/4")
        #expect(spec.cacheFileName == "shard-0002-of-0004.sqlite")
        for bad in ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3"] {
            #expect(throws: ShardSpecError.self) { try ShardSpec(parsing: bad) }
        }
    }

    /// Shards of `tools/compute_embeddings.py`'s `shard_of` (Python's hashlib), printed by
    /// `python3 -c "import hashlib; print([int.from_bytes(hashlib.sha256(i.encode()).digest()[:8], 'big') % n ...])"`.
    @Test func assignmentMatchesPython() {
        let python: [String: [Int]] = ["0": [0, 0, 3], "1": [1, 1, 2], "scene-7": [0, 0, 5], "000123": [0, 2, 0]]
        for (id, shards) in python {
            #expect([2, 4, 7].map { ShardSpec.shard(ofSceneID: id, count: $0) } == shards, "\(id)")
        }
    }

    @Test func everySceneInExactlyOneShard() throws {
        let ids = (0..<500).map { "scene-\($0)" }
        let specs = try (0..<4).map { try ShardSpec(index: $0, count: 4) }
        for id in ids { #expect(specs.filter { $0.contains(sceneID: id) }.count == 1) }
        // Roughly even: each of 4 shards holds 125 ± 40 of 500 scenes.
        for spec in specs { #expect(abs(ids.filter(spec.contains(sceneID:)).count - 125) < 40) }
    }

    @Test func slurmEnvironment() throws {
        #expect(try ShardSpec.fromSlurm(environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]) == ShardSpec(index: 3, count: 4))
        // --array=1-4: ids count from TASK_MIN.
        #expect(try ShardSpec.fromSlurm(environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"])
            == ShardSpec(index: 0, count: 4))
        #expect {
            try ShardSpec.fromSlurm(environment: ["SLURM_ARRAY_TASK_COUNT": "4"])
        } throws: { "\($0)".contains("SLURM_ARRAY_TASK_ID is not set") }
        #expect {
            try ShardSpec.fromSlurm(environment: ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"])
        } throws: { "\($0)".contains("SLURM_ARRAY_TASK_ID is 'x'") }
        #expect {
            try ShardSpec.fromSlurm(environment: ["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_STEP": "2"])
        } throws: { "\($0)".contains("SLURM_ARRAY_TASK_STEP is 2") }
    }
}

@Suite struct CacheCopyTests {
    @Test(arguments: VectorEncoding.allCases)
    func copiesVectorsByteForByteAndAnnotationTables(encoding: VectorEncoding) throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let keys = (0..<300).map { ItemKey.image(ContentHash(of: Data("scene \($0)".utf8))) }
        let items = keys.enumerated().map { DatasetItem(sceneID: "s\($0.offset)", level: .global, index: 0, key: $0.element) }
        let options = CacheOptions(encoding: encoding)
        let whole = try EmbeddingCache.open(at: folder.file("whole.sqlite"), options: options)
        let shardA = try EmbeddingCache.open(at: folder.file("a.sqlite"), options: options)
        let shardB = try EmbeddingCache.open(at: folder.file("b.sqlite"), options: options)
        for cache in [whole, shardA, shardB] { try cache.write { try $0.replaceAllItems(items) } }
        try whole.write { batch in
            for (i, key) in keys.enumerated() { try batch.storeVector(testVector(i, width: 16), for: key, fingerprint: "m", level: .global) }
        }
        // Shard A holds even scenes, B odd ones (B in reverse order), and each an annotation.
        try shardA.write { batch in
            for (i, key) in keys.enumerated() where i % 2 == 0 { try batch.storeVector(testVector(i, width: 16), for: key, fingerprint: "m", level: .global) }
            try batch.upsertMark(AnnotationMark(sceneID: "s0", targetKind: .scene, verdict: .wrong, note: "from A"))
            try batch.storeTextVector([1, 2, 3], for: "a cat", fingerprint: "m", level: .global)
        }
        try shardB.write { batch in
            for (i, key) in keys.enumerated().reversed() where i % 2 == 1 {
                try batch.storeVector(testVector(i, width: 16), for: key, fingerprint: "m", level: .global)
            }
            try batch.upsertMark(AnnotationMark(sceneID: "s1", targetKind: .object, targetIndex: 2, verdict: .correct))
        }
        // A table added by a later migration (any table outside the core ones) travels too.
        for cache in [shardB, whole] {
            try cache.writer.write { try $0.execute(sql: "CREATE TABLE corrections_example (scene_id TEXT PRIMARY KEY, label TEXT)") }
        }
        try shardB.writer.write { try $0.execute(sql: "INSERT INTO corrections_example VALUES ('s3', 'dog')") }
        #expect(try shardB.annotationTables() == ["corrections", "corrections_example", "marks"])

        let merged = try EmbeddingCache.open(at: folder.file("merged.sqlite"), options: options)
        try merged.write { try $0.replaceAllItems(items) }
        try merged.writer.write { try $0.execute(sql: "CREATE TABLE corrections_example (scene_id TEXT PRIMARY KEY, label TEXT)") }
        for _ in 0..<2 {  // merging again changes nothing
            let copied = try merged.write { batch in [try batch.copyContents(of: shardA), try batch.copyContents(of: shardB)] }
            #expect(copied[0].vectors["m global"] == 150 && copied[1].vectors["m global"] == 150)
            #expect(copied[1].annotations["corrections_example"] == 1 && copied[0].annotations["marks"] == 1)
        }
        let a = try whole.loadLevel(fingerprint: "m", level: .global), b = try merged.loadLevel(fingerprint: "m", level: .global)
        #expect(a.sceneIDs == b.sceneIDs && a.itemIndices == b.itemIndices)
        // Same decoded values from the same encoded bytes.
        #expect(a.matrix.shape == b.matrix.shape)
        #expect(a.matrix.withUnsafeBufferPointer { Array($0) } == b.matrix.withUnsafeBufferPointer { Array($0) })
        #expect(try merged.vectorCounts().map(\.count) == [300])
        #expect(try merged.marks().map(\.sceneID).sorted() == ["s0", "s1"])
        #expect(try merged.textVectors(["a cat"], fingerprint: "m", level: .global)["a cat"] == [1, 2, 3])
        #expect(try merged.writer.read { try String.fetchOne($0, sql: "SELECT label FROM corrections_example WHERE scene_id = 's3'") } == "dog")
        #expect(try whole.itemsDigest().digest == merged.itemsDigest().digest)
    }

    @Test func shardIsRecordedAndDigestFollowsItems() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let cache = try EmbeddingCache.open(at: folder.file("s.sqlite"))
        #expect(try cache.shard() == nil)
        try cache.recordShard(try ShardSpec(index: 1, count: 3))
        #expect(try EmbeddingCache.open(at: folder.file("s.sqlite")).shard() == ShardSpec(index: 1, count: 3))
        let key = ItemKey.image(ContentHash(of: Data("x".utf8)))
        let empty = try cache.itemsDigest()
        try cache.write { try $0.replaceAllItems([DatasetItem(sceneID: "s", level: .global, index: 0, key: key)]) }
        let one = try cache.itemsDigest()
        #expect(one.count == 1 && one.digest != empty.digest)
    }

    @Test func refusesAnotherEncoding() throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let f16 = try EmbeddingCache.open(at: folder.file("a.sqlite"), options: CacheOptions(encoding: .f16))
        let f32 = try EmbeddingCache.open(at: folder.file("b.sqlite"), options: CacheOptions(encoding: .f32))
        #expect {
            try f16.write { try $0.copyContents(of: f32) }
        } throws: { "\($0)".contains("b.sqlite") }
    }
}
