/// Which records form train, val and test: record positions (into ``SceneDataset/records``), each list in the
/// order the reference holds them after its shuffle.
///
/// The lists are disjoint except in one case the reference's slicing creates: with fewer than five records,
/// `int(0.2·n)` is 0 and `records[-0:]` is the whole list, so "test" holds every record (and "train" the first
/// `int(0.7·n)` of them too, "val" none).
public struct SplitPartition: Sendable, Equatable {
    public var train: [Int]
    public var val: [Int]
    public var test: [Int]

    public init(train: [Int], val: [Int], test: [Int]) {
        self.train = train
        self.val = val
        self.test = test
    }

    /// The positions in `split`.
    public func indices(of split: SceneSplit) -> [Int] {
        switch split {
        case .train: train
        case .val: val
        case .test: test
        }
    }

    /// The reference's split of `count` records (data/datamodule.py after pretrain.py's `random.seed(seed)`):
    /// positions `0..<count` shuffled by CPython's `random.shuffle` (``MersenneTwister``), then
    /// `train = shuffled[:int(0.7·n)]`, `test = shuffled[-int(0.2·n):]`, `val = shuffled[int(0.7·n):-int(0.2·n)]`,
    /// with Python's slice semantics (for `int(0.2·n) = 0`, test is everything and val is empty).
    public static func reference(count: Int, seed: UInt64 = 42) -> SplitPartition {
        var order = Array(0..<count)
        var generator = MersenneTwister(seed: seed)
        generator.shuffle(&order)
        let (trainCount, testCount) = referenceCounts(count)
        let train = Array(order[..<trainCount])
        // Python's `a[-0:]` is `a[0:]`, and `a[t:-0]` is `a[t:0]` (empty).
        let testStart = testCount == 0 ? 0 : count - testCount
        let valEnd = testCount == 0 ? 0 : count - testCount
        let test = Array(order[testStart...])
        let val = valEnd > trainCount ? Array(order[trainCount..<valEnd]) : []
        return SplitPartition(train: train, val: val, test: test)
    }

    /// `(int(0.7·n), int(0.2·n))` computed in doubles as Python computes them (e.g. `int(0.7·7) = 4`).
    public static func referenceCounts(_ count: Int) -> (train: Int, test: Int) {
        let n = Double(count)
        // Safe: 0 ≤ 0.7·n < n, which is an Int.
        return (Int((0.7 * n).rounded(.towardZero)), Int((0.2 * n).rounded(.towardZero)))
    }

    /// This partition with the records that declare a split (`declared[i] != nil`) taken out of every list and
    /// appended, in position order, to the list they declare. Undeclared records stay where they are.
    public func overriding(with declared: [SceneSplit?]) -> SplitPartition {
        guard declared.contains(where: { $0 != nil }) else { return self }
        func undeclared(_ list: [Int]) -> [Int] { list.filter { declared[$0] == nil } }
        var result = SplitPartition(train: undeclared(train), val: undeclared(val), test: undeclared(test))
        for (position, split) in declared.enumerated() {
            switch split {
            case .train: result.train.append(position)
            case .val: result.val.append(position)
            case .test: result.test.append(position)
            case nil: break
            }
        }
        return result
    }

    /// One split per position `0..<count`: train when in ``train``, else val when in ``val``, else test. (Only
    /// the reference's fewer-than-five case puts a position in two lists; there train wins.)
    public func labels(count: Int) -> [SceneSplit] {
        var result = [SceneSplit](repeating: .test, count: count)
        for position in val { result[position] = .val }
        for position in train { result[position] = .train }
        return result
    }
}
