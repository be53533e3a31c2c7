import Foundation
import Testing

/// Commands that answer from cached vectors embed what is missing first, unless `--no-index`.
@Suite(.serialized) struct AutoIndexTests {
    @Test func evalOnAFreshDatasetEmbedsFirstThenReusesTheCache() throws {
        let bench = try CLIEndToEndTests.Workbench(scenes: 6)
        defer { bench.remove() }
        let items = try bench.itemCount()

        let refused = try CLIHarness.run(["query", bench.dataset.path, "dog", "--model", bench.model.path, "--no-index"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("scenarioclip index"), "\(refused.stderr)")
        #expect(try bench.storedVectors() == 0)

        let first = try CLIHarness.run(["eval", bench.dataset.path, "--model", bench.model.path, "--split", "all", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("embedding \(items) item(s) not cached yet"), "\(first.stderr)")
        #expect(try bench.storedVectors() == items)
        #expect(try CLIHarness.json(first.stdout) is [String: Any])

        let second = try CLIHarness.run(["query", bench.dataset.path, "dog", "--model", bench.model.path, "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stderr.contains("not cached yet"), "\(second.stderr)")
        #expect(try bench.storedVectors() == items)
    }
}
