import Foundation
import Imaging
import Numerics
import Testing

@testable import Scenes

@Suite struct SceneSplitTests {
    private func dataset(count: Int, declared: (Int) -> SceneSplit? = { _ in nil }) -> SceneDataset {
        let root = URL(fileURLWithPath: "/data")
        let records = (0..<count).map {
            SceneRecord(
                id: "s\($0)", imagePath: root.appendingPathComponent("\($0).jpg"), action: "a",
                objects: [], relations: [], declaredSplit: declared($0), sourceFile: root, indexInFile: $0)
        }
        return SceneDataset(root: root, records: records)
    }

    @Test func uniformDrawsStayBelowTheirBound() {
        var generator = SplitMix64(seed: 0)
        for bound in [1, 2, 7, 1000] {
            #expect((0..<100).allSatisfy { _ in (0..<bound).contains(SceneDataset.uniform(below: bound, from: &generator)) })
        }
        // The high half of bound × 0xE220A8397B1DCDAF (SplitMix64's first output for seed 0).
        var fresh = SplitMix64(seed: 0)
        #expect(SceneDataset.uniform(below: 1000, from: &fresh) == 883)
    }

    @Test func splitIs70_10_20AndDeterministic() {
        let data = dataset(count: 1000)
        let splits = data.splits()
        #expect(splits.filter { $0 == .train }.count == 700)
        #expect(splits.filter { $0 == .val }.count == 100)
        #expect(splits.filter { $0 == .test }.count == 200)
        #expect(data.splits() == splits)
        #expect(data.splits(seed: 7) != splits)
        // Shuffled, not cut in record order.
        #expect(splits.prefix(700).contains(.test))
        #expect(data.records(in: .val).count == 100)
        #expect(data.records(in: nil).count == 1000)
    }

    @Test func declaredSplitsAreKept() {
        let data = dataset(count: 20) { $0 < 10 ? .test : nil }
        let splits = data.splits()
        #expect(splits.prefix(10).allSatisfy { $0 == .test })
        let rest = splits.suffix(10)
        #expect(rest.filter { $0 == .train }.count == 7)
        #expect(rest.filter { $0 == .val }.count == 1)
        #expect(rest.filter { $0 == .test }.count == 2)
    }

    @Test func tinySplitsStayValid() {
        #expect(dataset(count: 0).splits() == [])
        #expect(dataset(count: 1).splits() == [.test])
        // 3 × 0.7 → 2 train, 3 × 0.1 → 0 val, the rest test.
        #expect(dataset(count: 3).splits().sorted { $0.rawValue < $1.rawValue } == [.test, .train, .train])
    }
}
