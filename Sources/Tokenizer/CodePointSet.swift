/// A set of Unicode code points stored as sorted ranges (binary search; O(1) for Latin-1).
struct CodePointSet: Sendable {
    private var lows: [UInt32] = []
    private var highs: [UInt32] = []
    private var latin1 = [Bool](repeating: false, count: 256)

    /// Parses `"41-5a,61,..."` (hex, comma-separated, `a-b` inclusive ranges).
    init(ranges text: String) {
        var pairs: [(UInt32, UInt32)] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-")
            let low = UInt32(bounds[0], radix: 16)!
            let high = bounds.count > 1 ? UInt32(bounds[1], radix: 16)! : low
            pairs.append((low, high))
        }
        self.init(pairs: pairs)
    }

    init(pairs: [(UInt32, UInt32)]) {
        for (low, high) in pairs.sorted(by: { $0.0 < $1.0 }) {
            lows.append(low)
            highs.append(high)
            if low < 256 {
                for c in low...min(high, 255) { latin1[Int(c)] = true }
            }
        }
    }

    /// Union of several sets.
    init(_ sets: [CodePointSet]) {
        var pairs: [(UInt32, UInt32)] = []
        for s in sets { pairs += zip(s.lows, s.highs).map { ($0, $1) } }
        self.init(pairs: pairs)
    }

    init(scalars: String) {
        self.init(pairs: scalars.unicodeScalars.map { ($0.value, $0.value) })
    }

    func contains(_ c: UInt32) -> Bool {
        if c < 256 { return latin1[Int(c)] }
        var lo = 0
        var hi = lows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lows[mid] <= c { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 && c <= highs[lo - 1]
    }
}

/// Parses `"cp:cps cps,..."` maps of code points to replacement sequences.
func parseCodePointMap(_ text: String) -> [UInt32: [UInt32]] {
    var map: [UInt32: [UInt32]] = [:]
    for item in text.split(separator: ",") {
        let kv = item.split(separator: ":")
        map[UInt32(kv[0], radix: 16)!] = kv[1].split(separator: " ").map { UInt32($0, radix: 16)! }
    }
    return map
}
