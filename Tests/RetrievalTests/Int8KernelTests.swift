import Numerics
import Synthetic
import Testing

@testable import Retrieval

/// The exact sums in Int64 (no overflow possible for these sizes).
private func referenceSums(_ codes: [Int8], rows: Int, dimension: Int, query: [Int16]) -> [Int32] {
    (0..<rows).map { r in
        var sum: Int64 = 0
        for j in 0..<dimension { sum += Int64(codes[r * dimension + j]) * Int64(query[j]) }
        return Int32(sum)
    }
}

/// Rows × query cases: random values and the extremes vpdpbusd's unsigned × signed operands could get wrong.
private func cases(dimension d: Int, rows: Int, queryLimit: Int, seed: UInt64) -> [(String, [Int8], [Int16])] {
    var rng = SplitMix64(seed: seed)
    let randomCodes = (0..<(rows * d)).map { _ in Int8(truncatingIfNeeded: rng.next()) }
    let randomQuery = (0..<d).map { _ in Int16(Int(rng.next() % UInt64(2 * queryLimit + 1)) - queryLimit) }
    let lo = Int16(-queryLimit), hi = Int16(queryLimit)
    return [
        ("random", randomCodes, randomQuery),
        ("-128 × -limit", [Int8](repeating: -128, count: rows * d), [Int16](repeating: lo, count: d)),
        ("-128 × +limit", [Int8](repeating: -128, count: rows * d), [Int16](repeating: hi, count: d)),
        ("127 × -limit", [Int8](repeating: 127, count: rows * d), [Int16](repeating: lo, count: d)),
        ("alternating extremes", (0..<(rows * d)).map { $0 % 3 == 0 ? 127 : -128 }, (0..<d).map { $0 % 2 == 0 ? lo : hi }),
        ("random codes × -1/0/255/256", randomCodes, (0..<d).map { [Int16(-1), 0, 255, 256, -256, -255][$0 % 6] }),
    ]
}

@Suite struct Int8KernelTests {
    /// Dimensions around the 16-, 32- and 64-byte steps of the kernels, and beyond the VNNI limit (AVX2 there).
    static let dimensions = [1, 3, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 255, 500, 512, 513, 768, 2048]

    @Test func everySupportedKernelGivesThePortableSumsBitForBit() {
        #expect(Int8Kernel.supported.first == .portable && Int8Kernel.supported.contains(Int8Kernel.best))
        for d in Self.dimensions {
            // 0...9 rows: the 4-row groups and the rows after them.
            for rows in [0, 1, 3, 4, 5, 9] {
                // |q| ≤ 8191 is the documented range (dimension ≤ 2048); the full int16 range while the sums fit.
                let limits = d <= 256 ? [8191, 32767] : [8191]
                for limit in limits {
                    for (name, codes, query) in cases(dimension: d, rows: rows, queryLimit: limit, seed: UInt64(d * 31 + rows)) {
                        let want = referenceSums(codes, rows: rows, dimension: d, query: query)
                        for kernel in Int8Kernel.supported {
                            let got = kernel.sums(codes: codes, rows: rows, dimension: d, query: query)
                            #expect(got == want, "\(kernel) dimension \(d), \(rows) rows, |q| ≤ \(limit), \(name)")
                        }
                    }
                }
            }
        }
    }

    @Test func rowsLongerThanTheVNNILimitFallBackExactly() {
        let d = 4100, rows = 5
        for (name, codes, query) in cases(dimension: d, rows: rows, queryLimit: 1000, seed: 9) {
            let want = referenceSums(codes, rows: rows, dimension: d, query: query)
            for kernel in Int8Kernel.supported {
                #expect(kernel.sums(codes: codes, rows: rows, dimension: d, query: query) == want, "\(kernel), \(name)")
            }
        }
    }

    @Test func namesRoundTripAndUnsupportedKernelsAreRefused() throws {
        #expect(Int8Kernel.allCases.map(\.name) == ["portable", "avx2", "vnni-256", "avx512-vnni"])
        for kernel in Int8Kernel.allCases { #expect(Int8Kernel(name: kernel.name) == kernel) }
        #expect(Int8Kernel(name: "avx512") == nil)
        for kernel in Int8Kernel.allCases where !kernel.isSupported {
            #expect(throws: RetrievalError.unsupportedKernel(name: kernel.name, supported: Int8Kernel.supported.map(\.name))) {
                try Int8Kernel.withKernel(kernel) {}
            }
        }
        let message = "\(RetrievalError.unsupportedKernel(name: "avx512-vnni", supported: ["portable", "avx2"]))"
        #expect(message.contains("avx512-vnni") && message.contains("portable, avx2"))
    }

    /// Each kernel in turn (`Int8Kernel.withKernel`, scoped to the work it runs) gives the same compact and IVF
    /// results, scores included.
    @Test func searchesAreIdenticalUnderEveryKernel() throws {
        let gen = SyntheticEmbeddings(dimension: 72, clusters: 30, spread: 0.7, seed: 4)
        let n = 60_000
        let index = try VectorIndex(dimension: 72, count: n, compact: true) { i, row in gen.write(item: i, into: row) }
        let ivf = try IVFIndex.build(over: index, lists: 8)
        let queries = (0..<6).map { gen.vector(item: $0, stream: 1) }
        var results: [Int8Kernel: [[SearchHit]]] = [:]
        for kernel in Int8Kernel.supported {
            results[kernel] = try Int8Kernel.withKernel(kernel) {
                #expect(Int8Kernel.current == kernel)
                return try queries.flatMap { q in
                    // 6 of 8 lists: ~45,000 rows, split over the cores of a multi-core machine.
                    [try index.compactSearch(q, k: 10, candidates: 300), try ivf.search(q, k: 10, probes: 6, candidates: 300)]
                }
            }
        }
        #expect(Int8Kernel.current == Int8Kernel.best)
        // The kernel level caps the default choice: portable C under a portable ceiling, AVX2 at most under avx2.
        #expect(KernelLevel.withCeiling(.portable) { Int8Kernel.current } == .portable)
        #expect(KernelLevel.withCeiling(.avx2) { Int8Kernel.current } == min(Int8Kernel.best, .avx2))
        #expect(try KernelLevel.withCeiling(.portable) { try Int8Kernel.withKernel(.portable) { Int8Kernel.current } } == .portable)
        let portable = try #require(results[.portable])
        for (kernel, hits) in results { #expect(hits == portable, "\(kernel)") }
    }

    @Test func sharesCoverTheRangesInOrderAndEvenly() {
        let ranges = [10..<15, 20..<20, 30..<47, 100..<101]  // 23 rows
        for parts in 1...5 {
            let shares = (0..<parts).map { CompactCodes.share($0, of: parts, ranges, total: 23) }
            #expect(shares.flatMap { $0.flatMap { Array($0) } } == ranges.flatMap { Array($0) })
            let sizes = shares.map { $0.reduce(0) { $0 + $1.count } }
            #expect(sizes.max()! - sizes.min()! <= 1, "\(parts) parts: \(sizes)")
        }
    }
}
