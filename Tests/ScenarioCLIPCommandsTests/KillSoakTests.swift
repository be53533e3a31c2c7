import EmbeddingCache
import Foundation
import Numerics
import GRDB
import Testing

/// SIGKILLs `scenarioclip index` (and `cache merge`, `dataset import`) at seeded random moments and reruns it each
/// time; each cache that a rerun finishes must hold exactly a clean run's vectors (count per level, equal bits),
/// no duplicate rows, its annotation marks, and pass `PRAGMA integrity_check`.
///
/// `SCENARIOCLIP_KILL_SOAK_KILLS` sets the number of index kills (10 by default; `scripts/kill-soak` runs 100)
/// and `SCENARIOCLIP_KILL_SOAK_SEED` the seed.
@Suite(.serialized) struct KillSoakTests {
    typealias Workbench = CLIEndToEndTests.Workbench

    static let kills = ProcessInfo.processInfo.environment["SCENARIOCLIP_KILL_SOAK_KILLS"].flatMap(Int.init) ?? 10
    static let seed = ProcessInfo.processInfo.environment["SCENARIOCLIP_KILL_SOAK_SEED"].flatMap(UInt64.init) ?? 23

    /// The soak's kill moments, reproducible from the seed.
    struct Moments {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next(upTo bound: Int) -> Int {
            Int(generator.next() % UInt64(max(1, bound)))
        }
    }

    /// Starts `args`, SIGKILLs it after `milliseconds` unless it ended first; returns whether it ended by itself
    /// (with its status).
    private func runAndKill(_ args: [String], after milliseconds: Int) throws -> (finished: Bool, status: Int32, stderr: String) {
        let running = try CLIHarness.start(args)
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while running.process.isRunning && Date() < deadline { usleep(2_000) }
        let finished = !running.process.isRunning
        if !finished { kill(running.process.processIdentifier, SIGKILL) }
        let output = running.finish()
        return (finished, output.status, output.stderr)
    }

    /// Every level's vectors of `fingerprint` in `cache`, as bit patterns in dataset order.
    private func levels(of cache: URL, fingerprint: String) throws -> [CacheLevel: (scenes: [String], bits: [UInt32])] {
        let opened = try EmbeddingCache.open(at: cache)
        var result: [CacheLevel: (scenes: [String], bits: [UInt32])] = [:]
        for level in CacheLevel.allCases {
            let vectors = try opened.loadLevel(fingerprint: fingerprint, level: level)
            result[level] = (vectors.sceneIDs, vectors.matrix.withUnsafeBufferPointer { $0.map(\.bitPattern) })
        }
        return result
    }

    /// The checks a finished cache must pass against the clean run `reference`.
    private func expectClean(_ cache: URL, like reference: URL, fingerprint: String, marks: [String],
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let a = try levels(of: cache, fingerprint: fingerprint), b = try levels(of: reference, fingerprint: fingerprint)
        for level in CacheLevel.allCases {
            #expect(a[level]!.scenes.count > 0 && a[level]!.scenes == b[level]!.scenes, "\(level)", sourceLocation: sourceLocation)
            let equal = a[level]!.bits == b[level]!.bits
            #expect(equal, "\(level) vectors differ from the clean run's", sourceLocation: sourceLocation)
        }
        let queue = try DatabaseQueue(path: cache.path)
        try queue.read { db in
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"], sourceLocation: sourceLocation)
            // One slot per (set, key), each chunk row listed by exactly one slot, one item per position.
            let slots = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vector_slots") ?? -1
            let rows = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(count), 0) FROM vector_chunks") ?? -2
            let distinct = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT DISTINCT chunk, row FROM vector_slots)") ?? -3
            #expect(slots == rows && slots == distinct, "slots \(slots), chunk rows \(rows), distinct \(distinct)", sourceLocation: sourceLocation)
            let keys = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item_keys") ?? -1
            let distinctKeys = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT key) FROM item_keys") ?? -2
            #expect(keys == distinctKeys, sourceLocation: sourceLocation)
            let items = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") ?? -1
            let distinctItems = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT DISTINCT scene_id, level, item_index FROM items)") ?? -2
            #expect(items == distinctItems, sourceLocation: sourceLocation)
        }
        #expect(try EmbeddingCache.open(at: cache).marks().map { "\($0.sceneID) \($0.verdict) \($0.note)" } == marks,
                sourceLocation: sourceLocation)
    }

    private func addMarks(to cache: URL) throws -> [String] {
        let opened = try EmbeddingCache.open(at: cache)
        try opened.upsertMark(AnnotationMark(sceneID: "000001", targetKind: .scene, verdict: .wrong, note: "kept through kills"))
        try opened.upsertMark(AnnotationMark(sceneID: "000003", targetKind: .scene, verdict: .correct))
        return try opened.marks().map { "\($0.sceneID) \($0.verdict) \($0.note)" }
    }

    @Test func indexSurvivesRandomKills() throws {
        let bench = try Workbench(scenes: 10)
        defer { bench.remove() }
        let reference = bench.root.appendingPathComponent("reference.sqlite")
        let started = Date()
        let clean = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path, "--batch-size", "2",
                                        "--cache", reference.path, "--json"])
        let cleanMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
        #expect(clean.status == 0, "\(clean.stderr)")
        let fingerprint = try #require(try CLIHarness.json(clean.stdout) as? [String: Any])["fingerprint"] as? String ?? ""

        let soak = bench.root.appendingPathComponent("soak.sqlite")
        var moments = Moments(state: Self.seed)
        var marks = try addMarks(to: soak)
        var cycles = 0, killed = 0
        let args = ["index", bench.dataset.path, "--model", bench.model.path, "--batch-size", "2", "--cache", soak.path]
        while killed < Self.kills {
            // Kill anywhere from start-up to past the end of a clean run.
            let run = try runAndKill(args, after: moments.next(upTo: cleanMilliseconds + cleanMilliseconds / 4))
            if !run.finished {
                killed += 1
                continue
            }
            #expect(run.status == 0, "\(run.stderr)")
            // A finished cycle: check it, then start over from an empty cache (with marks) for the next kills.
            try expectClean(soak, like: reference, fingerprint: fingerprint, marks: marks)
            cycles += 1
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: soak.path + suffix) }
            marks = try addMarks(to: soak)
        }
        let last = try CLIHarness.run(args)
        #expect(last.status == 0, "\(last.stderr)")
        try expectClean(soak, like: reference, fingerprint: fingerprint, marks: marks)
        print("kill soak: \(killed) index kills (seed \(Self.seed)), \(cycles + 1) finished caches checked, clean run \(cleanMilliseconds) ms")
    }

    @Test func cacheMergeSurvivesRandomKills() throws {
        let bench = try Workbench(scenes: 8)
        defer { bench.remove() }
        let reference = bench.root.appendingPathComponent("reference.sqlite")
        let clean = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path, "--cache", reference.path, "--json"])
        #expect(clean.status == 0, "\(clean.stderr)")
        let fingerprint = try #require(try CLIHarness.json(clean.stdout) as? [String: Any])["fingerprint"] as? String ?? ""
        var shards: [String] = []
        for i in 0..<2 {
            let shard = bench.root.appendingPathComponent("shard-\(i).sqlite").path
            let run = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path, "--shard", "\(i)/2", "--cache", shard])
            #expect(run.status == 0, "\(run.stderr)")
            shards.append(shard)
        }
        let target = bench.root.appendingPathComponent("merged.sqlite")
        let marks = try addMarks(to: target)
        let args = ["cache", "merge", bench.dataset.path] + shards + ["--into", target.path]
        let started = Date()
        let probe = bench.root.appendingPathComponent("probe.sqlite")
        _ = try CLIHarness.run(["cache", "merge", bench.dataset.path] + shards + ["--into", probe.path])
        let mergeMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
        var moments = Moments(state: Self.seed ^ 0xC0FFEE)
        var killed = 0, attempts = 0
        let wanted = max(3, Self.kills / 3)
        while killed < wanted && attempts < wanted * 4 {
            attempts += 1
            let run = try runAndKill(args, after: moments.next(upTo: mergeMilliseconds))
            if run.finished {
                #expect(run.status == 0, "\(run.stderr)")
            } else {
                killed += 1
            }
        }
        let last = try CLIHarness.run(args)
        #expect(last.status == 0, "\(last.stderr)")
        try expectClean(target, like: reference, fingerprint: fingerprint, marks: marks)
        print("kill soak: \(killed) cache merge kills, merge \(mergeMilliseconds) ms")
    }

    @Test func datasetImportSurvivesRandomKills() throws {
        let root = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let coco = DatasetImportCLITests.coco
        func importArgs(_ out: URL) -> [String] {
            ["dataset", "import", "coco", "--instances", coco.appendingPathComponent("instances_val2017.json").path,
             "--captions", coco.appendingPathComponent("captions_val2017.json").path,
             "--images", coco.appendingPathComponent("val2017").path, out.path]
        }
        let reference = root.appendingPathComponent("reference")
        let started = Date()
        #expect(try CLIHarness.run(importArgs(reference)).status == 0)
        let importMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
        let soak = root.appendingPathComponent("soak")
        var moments = Moments(state: Self.seed ^ 0x1A2B)
        var killed = 0, attempts = 0
        let wanted = max(3, Self.kills / 3)
        while killed < wanted && attempts < wanted * 4 {
            attempts += 1
            let run = try runAndKill(importArgs(soak), after: moments.next(upTo: importMilliseconds))
            if !run.finished { killed += 1 }
        }
        let last = try CLIHarness.run(importArgs(soak))
        #expect(last.status == 0, "\(last.stdout)\(last.stderr)")
        // The same files with the same bytes as a clean import (paths inside relative to the dataset).
        func files(_ folder: URL) throws -> [String: Data] {
            var result: [String: Data] = [:]
            let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = walker?.nextObject() as? URL {
                guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
                let relative = String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count))
                result[relative] = try Data(contentsOf: url)
            }
            return result
        }
        let a = try files(soak), b = try files(reference)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (name, data) in b where !name.hasSuffix(".json") { #expect(a[name] == data, "\(name)") }
        for (name, data) in b where name.hasSuffix(".json") {
            let x = String(decoding: a[name] ?? Data(), as: UTF8.self).replacingOccurrences(of: soak.path, with: "D")
            let y = String(decoding: data, as: UTF8.self).replacingOccurrences(of: reference.path, with: "D")
            #expect(x == y, "\(name)")
        }
        print("kill soak: \(killed) dataset import kills, import \(importMilliseconds) ms")
    }
}
