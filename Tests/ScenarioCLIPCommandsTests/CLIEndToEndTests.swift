import EmbeddingCache
import Foundation
import Scenes
import Testing

/// Drives the real `scenarioclip` binary on a generated dataset with a tiny random CLIP model:
/// generate → check → index → query → classify → eval → probe, interruption and resumption, concurrent readers.
@Suite(.serialized) struct CLIEndToEndTests {
    /// A generated dataset and a tiny model in a temporary folder.
    struct Workbench {
        let root: URL
        var dataset: URL { root.appendingPathComponent("scenes") }
        var model: URL { root.appendingPathComponent("model") }

        init(scenes: Int) throws {
            root = try CLIHarness.temporaryFolder()
            let generated = try CLIHarness.run(["generate", dataset.path, "--scenes", "\(scenes)", "--seed", "5", "--size", "128x96"])
            #expect(generated.status == 0, "\(generated.stderr)")
            try CLIHarness.writeTinyCLIP(to: model)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// Items the dataset holds (global + objects + relations).
        func itemCount() throws -> Int {
            let data = try SceneDataset.load(from: dataset)
            return data.records.reduce(0) { $0 + 1 + $1.objects.count + $1.relations.count }
        }

        /// Vectors stored in the dataset's cache, all levels.
        func storedVectors() throws -> Int {
            let cache = try EmbeddingCache.open(at: EmbeddingCache.defaultLocation(forDataset: dataset))
            return try cache.vectorCounts().reduce(0) { $0 + $1.count }
        }
    }

    @Test func indexQueryClassifyEvalProbe() throws {
        let bench = try Workbench(scenes: 12)
        defer { bench.remove() }
        let check = try CLIHarness.run(["check", bench.dataset.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let index = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path, "--json"])
        #expect(index.status == 0, "\(index.stderr)")
        let summary = try #require(try CLIHarness.json(index.stdout) as? [String: Any])
        let embedded = try #require(summary["embedded"] as? [String: Int])
        let items = try bench.itemCount()
        #expect(embedded.values.reduce(0, +) == items)
        #expect(try bench.storedVectors() == items)

        let again = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path, "--json"])
        let second = try #require(try CLIHarness.json(again.stdout) as? [String: Any])
        #expect((second["reused"] as? Int) == items)
        #expect((second["embedded"] as? [String: Int])?.values.reduce(0, +) ?? -1 == 0)

        let query = try CLIHarness.run(["query", bench.dataset.path, "\"2:dog\" + \"ball\" - \"grass\"", "--model", bench.model.path,
                                        "--level", "all", "--top", "3", "--json"])
        #expect(query.status == 0, "\(query.stderr)")
        let hits = try #require(try CLIHarness.json(query.stdout) as? [[String: Any]])
        #expect(hits.count == 9)
        for level in ["global", "object", "relation"] {
            let scores = hits.filter { $0["level"] as? String == level }.compactMap { ($0["score"] as? NSNumber)?.floatValue }
            #expect(scores.count == 3 && scores == scores.sorted(by: >))
        }
        #expect(hits.filter { $0["level"] as? String == "object" }.allSatisfy { ($0["box"] as? [Int])?.count == 4 })

        let text = try CLIHarness.run(["query", bench.dataset.path, "a dog", "--model", bench.model.path])
        #expect(text.status == 0 && text.stdout.contains("global — 10 result(s)"), "\(text.stdout)\(text.stderr)")

        let classify = try CLIHarness.run(["classify", bench.dataset.path, "--model", bench.model.path, "--top", "2", "--json"])
        #expect(classify.status == 0, "\(classify.stderr)")
        let scenes = try #require(try CLIHarness.json(classify.stdout) as? [[String: Any]])
        #expect(scenes.count == 12)
        #expect(scenes.allSatisfy { (($0["items"] as? [[String: Any]])?.first?["ranking"] as? [Any])?.count == 2 })

        let eval = try CLIHarness.run(["eval", bench.dataset.path, "--model", bench.model.path, "--split", "all", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let report = try #require(try CLIHarness.json(eval.stdout) as? [String: Any])
        let overall = try #require(report["overall"] as? [String: Any])
        #expect(overall["scenes"] as? Int == 12)
        let table = try CLIHarness.run(["eval", bench.dataset.path, "--model", bench.model.path, "--split", "all"])
        #expect(table.stdout.contains("top-1") && table.stdout.contains("relation"))

        let probe = try CLIHarness.run(["probe", bench.dataset.path, "--model", bench.model.path, "--task", "object",
                                        "--epochs", "2", "--json"])
        #expect(probe.status == 0, "\(probe.stderr)")
        let head = try #require((try CLIHarness.json(probe.stdout) as? [String: Any])?["head"] as? String)
        #expect(FileManager.default.fileExists(atPath: head))

        let image = try #require(try SceneDataset.load(from: bench.dataset).records.first?.imagePath.path)
        let loose = try CLIHarness.run(["classify", image, "--dataset", bench.dataset.path, "--model", bench.model.path,
                                        "--probe", head, "--json"])
        #expect(loose.status == 0, "\(loose.stderr)")
        let rankings = try #require(try CLIHarness.json(loose.stdout) as? [[String: Any]])
        #expect(rankings.map { $0["method"] as? String } == ["zero-shot", "linear probe", "zero-shot"])
    }

    @Test(arguments: [SIGINT, SIGKILL])
    func interruptedIndexResumesWithoutLossOrDuplicates(signal: Int32) throws {
        let bench = try Workbench(scenes: 8)
        defer { bench.remove() }
        let items = try bench.itemCount()
        let running = try CLIHarness.start(["index", bench.dataset.path, "--model", bench.model.path, "--batch-size", "2",
                                            "--pause-after-batch", "150"])
        // Wait until some batches are committed, then interrupt.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, running.process.isRunning, (try? bench.storedVectors()) ?? 0 < 4 { usleep(50_000) }
        kill(running.process.processIdentifier, signal)
        let interrupted = running.finish()
        let partial = try bench.storedVectors()
        #expect(partial >= 4 && partial < items)
        if signal == SIGINT {
            #expect(interrupted.status == 130, "\(interrupted.stderr)")
            #expect(interrupted.stderr.contains("interrupted"))
        }
        let resumed = try CLIHarness.run(["index", bench.dataset.path, "--model", bench.model.path, "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let summary = try #require(try CLIHarness.json(resumed.stdout) as? [String: Any])
        #expect((summary["reused"] as? Int ?? 0) >= partial)
        #expect(try bench.storedVectors() == items)
    }

    @Test func readersQueryWhileAnIndexerWrites() throws {
        let bench = try Workbench(scenes: 8)
        defer { bench.remove() }
        let writer = try CLIHarness.start(["index", bench.dataset.path, "--model", bench.model.path, "--batch-size", "2",
                                           "--pause-after-batch", "100"])
        let deadline = Date().addingTimeInterval(120)
        // The query needs at least one vector per level it searches; global items come first.
        while Date() < deadline, writer.process.isRunning, (try? bench.storedVectors()) ?? 0 < 2 { usleep(50_000) }
        let readers = try (0..<2).map { _ in
            try CLIHarness.start(["query", bench.dataset.path, "person", "--model", bench.model.path, "--json"])
        }
        for reader in readers {
            let output = reader.finish()
            #expect(output.status == 0, "\(output.stderr)")
            #expect((try? CLIHarness.json(output.stdout) as? [[String: Any]])?.isEmpty == false)
        }
        #expect(writer.finish().status == 0)
        #expect(try bench.storedVectors() == bench.itemCount())
    }

    @Test func badInputGivesSpecificErrors() throws {
        let folder = try CLIHarness.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try CLIHarness.run(["index", folder.appendingPathComponent("nope").path, "--model", folder.path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nope"))
        let badLevel = try CLIHarness.run(["query", folder.path, "dog", "--level", "everything"])
        #expect(badLevel.status != 0 && badLevel.stderr.contains("--level"))
    }
}
