import EmbeddingCache
import Foundation
import GRDB
import Scenes
import Testing

/// `scenarioclip` on damaged, foreign, locked, read-only and full caches, and two indexers on one dataset: each
/// ends with a message naming the file and a way out, never a crash, and nothing is embedded twice.
@Suite(.serialized) struct DamagedCacheCLITests {
    typealias Workbench = CLIEndToEndTests.Workbench

    private func cacheURL(_ bench: Workbench) -> URL { EmbeddingCache.defaultLocation(forDataset: bench.dataset) }

    /// A command's failure: an ordinary exit (not a signal, not a trap) with a message naming `file` and `--cache`.
    private func expectCleanFailure(_ output: CLIHarness.Output, naming file: URL, _ phrase: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(output.status == 1, "status \(output.status): \(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(file.path), "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(phrase), "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains("--cache"), "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(!output.stderr.contains("Fatal error"), "\(output.stderr)", sourceLocation: sourceLocation)
    }

    @Test func aTruncatedCacheIsNamedAndRebuiltElsewhereOrInPlace() throws {
        let bench = try Workbench(scenes: 6)
        defer { bench.remove() }
        let index = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path, "--batch-size", "2"])
        #expect(index.status == 0, "\(index.stderr)")
        let url = cacheURL(bench)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(size / 3))
        try handle.close()
        for args in [["query", bench.dataset.path, "person", "--no-index"], ["index", bench.dataset.path]] {
            let output = try CLIHarness.run(args + ["--model", bench.model.path])
            expectCleanFailure(output, naming: url, "is damaged")
        }
        // The ways out the message names: another cache, or deleting the damaged one.
        let elsewhere = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path,
                                            "--cache", bench.root.appendingPathComponent("other.sqlite").path])
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
        try FileManager.default.removeItem(at: url)
        let rebuilt = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(try bench.storedVectors() == bench.itemCount())
    }

    @Test func aCacheFromANewerVersionIsRefusedNamingTheFile() throws {
        let bench = try Workbench(scenes: 2)
        defer { bench.remove() }
        #expect(try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path]).status == 0)
        let url = cacheURL(bench)
        try DatabaseQueue(path: url.path).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: future')") }
        for args in [["query", bench.dataset.path, "person", "--no-index"], ["index", bench.dataset.path]] {
            expectCleanFailure(try CLIHarness.run(args + ["--model", bench.model.path]), naming: url, "written by a newer scenarioclip")
        }
    }

    @Test func aCacheExclusivelyLockedByAnotherProcessIsReported() throws {
        let bench = try Workbench(scenes: 2)
        defer { bench.remove() }
        #expect(try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path]).status == 0)
        let url = cacheURL(bench)
        // This test process is the other process: it holds the file in SQLite's exclusive locking mode.
        var configuration = Configuration()
        configuration.prepareDatabase { try $0.execute(sql: "PRAGMA locking_mode = EXCLUSIVE") }
        let holder = try DatabaseQueue(path: url.path, configuration: configuration)
        try holder.write { try $0.execute(sql: "UPDATE schema_info SET value = value WHERE key = 'format'") }
        let query = try CLIHarness.run(["query", bench.dataset.path, "person", "--no-index", "--model", bench.model.path])
        expectCleanFailure(query, naming: url, "is locked by another process")
        try holder.close()
        let again = try CLIHarness.run(["query", bench.dataset.path, "person", "--no-index", "--model", bench.model.path])
        #expect(again.status == 0, "\(again.stderr)")
    }

    /// `query --no-index` reads a cache it cannot write: a read-only folder and file for an ordinary user, a
    /// read-only bind mount (in a user namespace) for root, whom permissions do not stop.
    @Test func queryWithoutIndexingReadsACacheOnReadOnlyMedia() throws {
        let bench = try Workbench(scenes: 3)
        defer { bench.remove() }
        #expect(try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path]).status == 0)
        let expected = try CLIHarness.run(["query", bench.dataset.path, "person", "--no-index", "--json", "--model", bench.model.path])
        #expect(expected.status == 0, "\(expected.stderr)")
        let folder = cacheURL(bench).deletingLastPathComponent()
        let args = ["query", bench.dataset.path, "person", "--no-index", "--json", "--model", bench.model.path]
        let output: CLIHarness.Output
        if getuid() != 0 {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: cacheURL(bench).path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
            let writing = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path])
            expectCleanFailure(writing, naming: cacheURL(bench), "cannot write the embedding cache")
            output = try CLIHarness.run(args)
        } else {
            let script = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && "
                + "! touch \"$0\" 2>/dev/null && exec \"$@\""
            let probe = folder.appendingPathComponent("probe").path
            output = try CLIHarness.runCommand("/usr/bin/unshare", ["-rm", "sh", "-c", script, probe, folder.path, CLIHarness.binary.path] + args)
        }
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == expected.stdout)
    }

    /// A full disk (a 1 MiB tmpfs, mounted in a user namespace where the system allows it, nearly filled):
    /// `index` stops with a message naming the cache and keeps its committed batches; with space freed, a rerun
    /// finishes. Without user namespaces, `DamagedCacheTests.aFullDiskKeepsTheCommittedBatches` covers the
    /// same path with `PRAGMA max_page_count`.
    @Test(.enabled(if: CLIHarness.canMountInUserNamespace)) func aFullDiskStopsIndexingWithAClearMessage() throws {
        let bench = try Workbench(scenes: 12)
        defer { bench.remove() }
        let mount = bench.root.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        let cache = mount.appendingPathComponent("cache.sqlite")
        let logs = bench.root.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let index = "\"$BIN\" index \"$DATA\" --model \"$MODEL\" --batch-size 2 --cache \"$MNT/cache.sqlite\""
        let script = """
            mount -t tmpfs -o size=1m tmpfs "$MNT" || exit 99
            head -c 900000 /dev/zero > "$MNT/filler"
            \(index) > "$LOGS/full.out" 2> "$LOGS/full.err"; echo $? > "$LOGS/full.status"
            rm "$MNT/filler"
            \(index) --json > "$LOGS/again.out" 2> "$LOGS/again.err"; echo $? > "$LOGS/again.status"
            """
        let output = try CLIHarness.runCommand("/usr/bin/unshare", ["-rm", "sh", "-c", script], environment: [
            "BIN": CLIHarness.binary.path, "DATA": bench.dataset.path, "MODEL": bench.model.path, "MNT": mount.path, "LOGS": logs.path,
        ])
        #expect(output.status == 0, "\(output.stderr)")
        func read(_ name: String) -> String { (try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        let full = read("full.err")
        #expect(read("full.status").trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(full)")
        #expect(full.contains("disk full"), "\(full)")
        #expect(full.contains(cache.path), "\(full)")
        #expect(!full.contains("Fatal error"), "\(full)")
        #expect(read("again.status").trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(read("again.err"))")
        let summary = try #require(try CLIHarness.json(read("again.out")) as? [String: Any])
        #expect(summary["failed"] as? Int == 0)
    }

    /// Two `index` runs at once on one dataset: the second says it waits, waits for the first, and embeds nothing.
    @Test func aSecondIndexerWaitsForTheFirstAndEmbedsNothingTwice() throws {
        let bench = try Workbench(scenes: 6)
        defer { bench.remove() }
        let items = try bench.itemCount()
        let first = try CLIHarness.start(["index", bench.dataset.path, "--model", bench.model.path, "--batch-size", "2",
                                          "--pause-after-batch", "150", "--json"])
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, first.process.isRunning, (try? bench.storedVectors()) ?? 0 < 2 { usleep(50_000) }
        let second = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path, "--json"])
        let firstOutput = first.finish()
        #expect(firstOutput.status == 0, "\(firstOutput.stderr)")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("another `scenarioclip index` is writing"), "\(second.stderr)")
        let a = try #require(try CLIHarness.json(firstOutput.stdout) as? [String: Any])
        let b = try #require(try CLIHarness.json(second.stdout) as? [String: Any])
        let embeddedByFirst = (a["embedded"] as? [String: Int] ?? [:]).values.reduce(0, +)
        let embeddedBySecond = (b["embedded"] as? [String: Int] ?? [:]).values.reduce(0, +)
        #expect(embeddedBySecond == 0)
        #expect(embeddedByFirst > 0)
        #expect(try bench.storedVectors() == items)
    }
}
