import Foundation
import Testing

@testable import Scenes

/// The reference's split and CPython's generator against `reference_splits.json` (tools/make_split_fixtures.py).
@Suite struct SceneSplitTests {
    struct Fixture: Decodable {
        struct Split: Decodable {
            var n: Int
            var seed: UInt64
            var train: [Int]
            var val: [Int]
            var test: [Int]
        }
        struct Bits: Decodable {
            var k: Int
            var values: [String]
        }
        struct Below: Decodable {
            var n: Int
            var value: Int
        }
        struct Stream: Decodable {
            var seed: String
            var getrandbits: [Bits]
            var random: [String]
            var randbelow: [Below]
        }
        var splits: [Split]
        var streams: [Stream]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent("reference_splits.json")
        // The fixture is committed beside the tests; a missing file is a broken checkout.
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    private func dataset(count: Int, declared: (Int) -> SceneSplit? = { _ in nil }) -> SceneDataset {
        let root = URL(fileURLWithPath: "/data")
        let records = (0..<count).map {
            SceneRecord(
                id: "s\($0)", imagePath: root.appendingPathComponent("\($0).jpg"), action: "a",
                objects: [], relations: [], declaredSplit: declared($0), sourceFile: root, indexInFile: $0)
        }
        return SceneDataset(root: root, records: records)
    }

    @Test func mersenneTwisterMatchesCPythonStreams() throws {
        for stream in Self.fixture.streams {
            let seed = try #require(UInt64(stream.seed))
            var generator = MersenneTwister(seed: seed)
            for bits in stream.getrandbits {
                let drawn = (0..<bits.values.count).map { _ in String(generator.randomBits(bits.k)) }
                #expect(drawn == bits.values, "seed \(seed), getrandbits(\(bits.k))")
            }
            let floats = stream.random.map { _ in generator.nextUnitDouble() }
            #expect(floats == stream.random.compactMap(Double.init), "seed \(seed), random()")
            for below in stream.randbelow {
                #expect(generator.below(below.n) == below.value, "seed \(seed), randrange(\(below.n))")
            }
        }
    }

    @Test func splitEqualsCPythonsForEverySize() {
        for expected in Self.fixture.splits {
            let partition = SplitPartition.reference(count: expected.n, seed: expected.seed)
            #expect(partition.train == expected.train, "n = \(expected.n) train")
            #expect(partition.val == expected.val, "n = \(expected.n) val")
            #expect(partition.test == expected.test, "n = \(expected.n) test")
            #expect(dataset(count: expected.n).splitPartition(seed: expected.seed) == partition)
        }
    }

    @Test func recordsInASplitAreTheReferencesInDatasetOrder() throws {
        let expected = try #require(Self.fixture.splits.first { $0.n == 100 && $0.seed == 42 })
        let data = dataset(count: 100)
        #expect(data.records(in: .test).map(\.id) == expected.test.sorted().map { "s\($0)" })
        #expect(data.records(in: .val).map(\.id) == expected.val.sorted().map { "s\($0)" })
        #expect(data.records(in: nil).count == 100)
        let labels = data.splits()
        for position in expected.train { #expect(labels[position] == .train) }
        for position in expected.test { #expect(labels[position] == .test) }
    }

    @Test func fewerThanFiveRecordsMakeTestTheWholeList() throws {
        let expected = try #require(Self.fixture.splits.first { $0.n == 4 })
        let data = dataset(count: 4)
        #expect(data.records(in: .test).count == 4)
        #expect(data.records(in: .train).map(\.id) == expected.train.sorted().map { "s\($0)" })
        #expect(data.records(in: .val).isEmpty)
        // Labels: train wins for the records the reference has in both.
        #expect(data.splits().filter { $0 == .train }.count == expected.train.count)
    }

    @Test func declaredSplitsMoveOnlyTheirRecords() throws {
        let expected = try #require(Self.fixture.splits.first { $0.n == 1000 })
        let declaredTest = Set(expected.train.prefix(5))
        let data = dataset(count: 1000) { declaredTest.contains($0) ? .test : $0 == expected.test[0] ? .val : nil }
        let partition = data.splitPartition()
        #expect(partition.train == expected.train.filter { !declaredTest.contains($0) })
        #expect(partition.test == Array(expected.test.dropFirst()) + declaredTest.sorted())
        #expect(partition.val == expected.val + [expected.test[0]])
        #expect(Set(partition.train + partition.val + partition.test).count == 1000)
    }
}
