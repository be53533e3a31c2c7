import CNumerics
import Foundation
import Synchronization
import Testing

@testable import Numerics

/// The C matrix-product kernels (`numerics_sgemm_nt`, `numerics_sgemm_packed`, `numerics_sgemm_nn`) against double-precision loops, on
/// shapes that hit every tile size, the k blocking and the scalar tails; and their determinism.
@Suite struct ProductKernelTests {
    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) }
    }

    /// `|got - expected| ≤ 1e-5 · (1 + Σ|terms|)`: float rounding over a sum of `k` products.
    static func expectClose(_ got: Float, _ expected: Double, scale: Double, _ message: @autoclosure () -> String) {
        #expect(abs(Double(got) - expected) <= 1e-5 * (1 + scale), "\(message()): \(got) vs \(expected)")
    }

    /// Checks an `m`×`n` product written into `c` (row stride `ldc`) against the double-precision definition:
    /// `c[i][j] = (accumulate ? start[i][j] : 0) + alpha · Σₜ term(i, j, t)`, and columns beyond `n` untouched.
    static func expectProduct(
        _ c: [Float], start: [Float], m: Int, n: Int, k: Int, ldc: Int, alpha: Float, accumulate: Bool,
        term: (Int, Int, Int) -> Double
    ) {
        for i in 0..<m {
            for j in 0..<ldc {
                guard j < n else {
                    #expect(c[i * ldc + j] == start[i * ldc + j], "column \(j) beyond n written")
                    continue
                }
                var sum = 0.0, scale = 0.0
                for t in 0..<k {
                    let product = term(i, j, t)
                    sum += product
                    scale += abs(product)
                }
                let expected = (accumulate ? Double(start[i * ldc + j]) : 0) + Double(alpha) * sum
                expectClose(c[i * ldc + j], expected, scale: scale, "\(m)x\(n)x\(k) alpha \(alpha) [\(i)][\(j)]")
            }
        }
    }

    @Test(arguments: [(1, 1, 1), (1, 2, 8), (5, 3, 7), (6, 2, 9), (7, 33, 64), (13, 65, 770), (2, 5, 1600), (9, 4, 0)])
    func ntMatchesDefinition(m: Int, n: Int, k: Int) {
        let (lda, ldw, ldc) = (k + 3, k + 1, n + 2)
        let a = Self.values(max(1, m * lda), seed: 1), w = Self.values(max(1, n * ldw), seed: 2)
        let start = Self.values(m * ldc, seed: 3)
        for (alpha, accumulate) in [(Float(1), false), (0.125, false), (1, true), (-0.5, true)] {
            var c = start
            numerics_sgemm_nt(m, n, k, alpha, a, lda, w, ldw, &c, ldc, accumulate ? 1 : 0)
            Self.expectProduct(c, start: start, m: m, n: n, k: k, ldc: ldc, alpha: alpha, accumulate: accumulate) {
                Double(a[$0 * lda + $2]) * Double(w[$1 * ldw + $2])
            }
        }
    }

    /// Every output element is the same sequence of operations whatever the split of columns or rows: a column
    /// range or a single row computed alone is bit-identical to the same elements of the whole product.
    @Test func ntResultsDoNotDependOnTheSplit() {
        let (m, n, k) = (11, 37, 1000)
        let a = Self.values(m * k, seed: 4), w = Self.values(n * k, seed: 5)
        var whole = [Float](repeating: 0, count: m * n)
        numerics_sgemm_nt(m, n, k, 1, a, k, w, k, &whole, n, 0)
        var pieces = [Float](repeating: .nan, count: m * n)
        for (start, end) in [(0, 3), (3, 20), (20, 37)] {
            w.withUnsafeBufferPointer { wp in
                pieces.withUnsafeMutableBufferPointer { cp in
                    numerics_sgemm_nt(m, end - start, k, 1, a, k, wp.baseAddress! + start * k, k, cp.baseAddress! + start, n, 0)
                }
            }
        }
        #expect(pieces == whole)
        for row in [0, 6, 10] {
            var single = [Float](repeating: 0, count: n)
            a.withUnsafeBufferPointer { ap in
                numerics_sgemm_nt(1, n, k, 1, ap.baseAddress! + row * k, k, w, k, &single, n, 0)
            }
            #expect(single == Array(whole[(row * n)..<((row + 1) * n)]), "row \(row)")
        }
    }

    /// The packed many-rows kernel: panel edges (n not a multiple of 16, more than 128 columns), k blocks of 256
    /// with a tail, row groups with a remainder; column pieces computed alone equal the whole, bit for bit.
    @Test(arguments: [(1, 1, 1), (7, 17, 300), (13, 130, 513), (200, 33, 40), (5, 3, 0)])
    func manyRowsMatchesDefinition(m: Int, n: Int, k: Int) {
        let (lda, ldw, ldc) = (k + 3, k + 1, n + 2)
        let a = Self.values(max(1, m * lda), seed: 11), w = Self.values(max(1, n * ldw), seed: 12)
        let start = Self.values(m * ldc, seed: 13)
        for (alpha, accumulate) in [(Float(1), false), (-0.5, true)] {
            var c = start
            numerics_sgemm_nt_many_rows(m, n, k, alpha, a, lda, w, ldw, &c, ldc, accumulate ? 1 : 0)
            Self.expectProduct(c, start: start, m: m, n: n, k: k, ldc: ldc, alpha: alpha, accumulate: accumulate) {
                Double(a[$0 * lda + $2]) * Double(w[$1 * ldw + $2])
            }
            guard n > 5 else { continue }
            var pieces = start
            for (first, end) in [(0, 5), (5, n)] {
                w.withUnsafeBufferPointer { wp in
                    pieces.withUnsafeMutableBufferPointer { cp in
                        numerics_sgemm_nt_many_rows(
                            m, end - first, k, alpha, a, lda, wp.baseAddress! + first * ldw, ldw, cp.baseAddress! + first,
                            ldc, accumulate ? 1 : 0)
                    }
                }
            }
            #expect(pieces == c, "\(m)x\(n)x\(k): column pieces differ from the whole")
        }
    }

    /// Packs `w` (`[n, k]`, row stride `ldw`) for `numerics_sgemm_packed`.
    static func pack(_ w: [Float], n: Int, k: Int, ldw: Int) -> [Float] {
        var packed = [Float](repeating: .nan, count: max(1, numerics_packed_count(n, k)))
        numerics_pack_nt(n, k, w, ldw, &packed)
        return packed
    }

    /// Packing gives the same panels at every kernel level (the AVX-512 gather against the portable loop), padding
    /// rows past `n` with zeros, for panel edges, strided weights and k of every remainder.
    @Test func packingIsTheSameAtEveryLevel() {
        for (n, k) in [(1, 1), (15, 3), (16, 16), (17, 31), (40, 70), (33, 768)] {
            let ldw = k + 5
            let w = Self.values(n * ldw, seed: UInt64(n * 100 + k))
            let reference = KernelLevel.withCeiling(.portable) { Self.pack(w, n: n, k: k, ldw: ldw) }
            for level in KernelLevel.supported {
                let packed = KernelLevel.withCeiling(level) { Self.pack(w, n: n, k: k, ldw: ldw) }
                #expect(packed.map(\.bitPattern) == reference.map(\.bitPattern), "\(level) \(n)x\(k)")
            }
            for j in n..<((n + 15) / 16 * 16) {
                for t in 0..<k { #expect(reference[(j / 16) * 16 * k + 16 * t + j % 16] == 0) }
            }
            var unpacked = [Float](repeating: .nan, count: n * ldw)
            numerics_unpack_nt(n, k, reference, &unpacked, ldw)
            for j in 0..<n { #expect(Array(unpacked[(j * ldw)..<(j * ldw + k)]) == Array(w[(j * ldw)..<(j * ldw + k)])) }
        }
    }

    /// The prepacked kernel: row groups of every size 1...6 (m = 1, 5, 7, 13, 50), panel edges (n not a multiple of
    /// 16), k blocks of 768 with a remainder (1600 = 3 blocks), k = 0, strided A and C, every output mode.
    @Test(arguments: [(1, 1, 1), (1, 16, 8), (5, 3, 7), (7, 17, 300), (13, 33, 770), (2, 40, 1600), (50, 20, 33), (9, 4, 0)])
    func packedMatchesDefinition(m: Int, n: Int, k: Int) {
        let (lda, ldw, ldc) = (k + 3, k + 1, n + 2)
        let a = Self.values(max(1, m * lda), seed: 61), w = Self.values(max(1, n * ldw), seed: 62)
        let packed = Self.pack(w, n: n, k: k, ldw: ldw)
        #expect(numerics_packed_count(n, k) == (n + 15) / 16 * 16 * k)
        let start = Self.values(m * ldc, seed: 63)
        for (alpha, accumulate) in [(Float(1), false), (0.125, false), (1, true), (-0.5, true)] {
            var c = start
            numerics_sgemm_packed(m, n, k, alpha, a, lda, packed, &c, ldc, accumulate ? 1 : 0)
            Self.expectProduct(c, start: start, m: m, n: n, k: k, ldc: ldc, alpha: alpha, accumulate: accumulate) {
                Double(a[$0 * lda + $2]) * Double(w[$1 * ldw + $2])
            }
        }
    }

    /// Packing is exact and reversible; the padding of the last panel is zero.
    @Test func packingRoundTrips() {
        let (n, k) = (21, 5)
        let w = Self.values(n * k, seed: 64)
        let packed = Self.pack(w, n: n, k: k, ldw: k)
        for t in 0..<k {
            for j in 0..<32 { #expect(packed[(j / 16) * 16 * k + 16 * t + j % 16] == (j < n ? w[j * k + t] : 0)) }
        }
        var back = [Float](repeating: .nan, count: n * k)
        numerics_unpack_nt(n, k, packed, &back, k)
        #expect(back == w)
    }

    /// Every output is the same sequence of operations whatever the split: panel ranges computed alone (as
    /// ``KernelProduct`` hands them to threads, prefetching the next range), any single row, and any row count give
    /// bit-identical elements.
    @Test func packedResultsDoNotDependOnTheSplit() {
        let (m, n, k) = (50, 80, 1000)
        let a = Self.values(m * k, seed: 65), w = Self.values(n * k, seed: 66)
        let packed = Self.pack(w, n: n, k: k, ldw: k)
        var whole = [Float](repeating: 0, count: m * n)
        numerics_sgemm_packed(m, n, k, 1, a, k, packed, &whole, n, 0)
        var pieces = [Float](repeating: .nan, count: m * n)
        for (start, end) in [(0, 16), (16, 64), (64, 80)] {
            // As KernelProduct runs a piece: asking for the next piece's panels changes nothing in the results.
            packed.withUnsafeBufferPointer { wp in
                pieces.withUnsafeMutableBufferPointer { cp in
                    numerics_sgemm_packed_prefetching(
                        m, end - start, k, 1, a, k, wp.baseAddress! + start * k, cp.baseAddress! + start, n, 0,
                        end < n ? wp.baseAddress! + end * k : nil, n - end)
                }
            }
        }
        #expect(pieces == whole)
        for (first, count) in [(0, 1), (7, 1), (49, 1), (3, 8), (10, 13), (0, 7)] {
            var part = [Float](repeating: 0, count: count * n)
            a.withUnsafeBufferPointer { ap in
                numerics_sgemm_packed(count, n, k, 1, ap.baseAddress! + first * k, k, packed, &part, n, 0)
            }
            #expect(part == Array(whole[(first * n)..<((first + count) * n)]), "rows \(first)..<\(first + count)")
        }
    }

    /// The packed products compute every output bit for bit the same at every kernel level this CPU runs
    /// (portable C, the AVX2 tiles, the AVX-512 few-row and many-row tiles), for float32 and float16 panels: every
    /// row count 1...16 (few-row tiles), row counts of the many-row tiles' groups and row blocks (up to 333: two
    /// blocks), panel edges and odd panel counts, one and three k blocks, strided A and C, every output mode, with
    /// and without the next-piece prefetch (whose stream runs past the weight into `following`). Each result also
    /// equals the definition.
    @Test(arguments: [(37, 300), (16, 2048), (5, 1), (80, 64)])
    func packedProductsAreTheSameAtEveryLevel(n: Int, k: Int) {
        let rowCounts = Array(1...16) + [17, 23, 50, 77, 333]
        let (lda, ldc) = (k + 5, n + 3), maxRows = rowCounts.max()!
        let a = Self.values(maxRows * lda, seed: 91), w = Self.values((n + 16) * k, seed: 92)
        let packed = Self.pack(w, n: n + 16, k: k, ldw: k)
        var half = [UInt16](repeating: 0, count: numerics_packed_count(n + 16, k))
        numerics_pack_nt_f16(n + 16, k, w, k, &half)
        let start = Self.values(maxRows * ldc, seed: 93)
        for m in rowCounts {
            for (alpha, accumulate) in [(Float(1), Int32(0)), (-0.75, 1)] {
                var results: [KernelLevel: [[Float]]] = [:]
                for level in KernelLevel.supported {
                    KernelLevel.withCeiling(level) {
                        var single = start, streamed = start, halfSingle = start, halfStreamed = start
                        numerics_sgemm_packed(m, n, k, alpha, a, lda, packed, &single, ldc, accumulate)
                        numerics_sgemm_packed_f16(m, n, k, alpha, a, lda, half, &halfSingle, ldc, accumulate)
                        packed.withUnsafeBufferPointer { wp in
                            numerics_sgemm_packed_prefetching(
                                m, n, k, alpha, a, lda, wp.baseAddress!, &streamed, ldc, accumulate,
                                wp.baseAddress! + (n + 15) / 16 * 16 * k, 16)
                        }
                        half.withUnsafeBufferPointer { hp in
                            numerics_sgemm_packed_f16_prefetching(
                                m, n, k, alpha, a, lda, hp.baseAddress!, &halfStreamed, ldc, accumulate,
                                hp.baseAddress! + (n + 15) / 16 * 16 * k, 16)
                        }
                        #expect(streamed == single && halfStreamed == halfSingle,
                                "\(level) \(m)x\(n)x\(k): prefetch changed results")
                        results[level] = [single, halfSingle]
                    }
                }
                for level in KernelLevel.supported {
                    #expect(results[level]![0] == results[.portable]![0], "\(level) float32 panels, \(m)x\(n)x\(k)")
                    #expect(results[level]![1] == results[.portable]![1], "\(level) float16 panels, \(m)x\(n)x\(k)")
                }
                if m <= 77 {
                    Self.expectProduct(
                        results[KernelLevel.detected]![0], start: start, m: m, n: n, k: k, ldc: ldc, alpha: alpha,
                        accumulate: accumulate != 0
                    ) { Double(a[$0 * lda + $2]) * Double(w[$1 * k + $2]) }
                }
            }
        }
    }

    /// The other kernels (row-major products, the attention's `probabilities · values`, activations, softmax) agree
    /// with the definition at every level this CPU runs.
    @Test func otherKernelsMatchTheDefinitionAtEveryLevel() {
        let (m, n, k) = (23, 70, 300)
        let a = Self.values(m * k, seed: 95), w = Self.values(n * k, seed: 96), b = Self.values(k * n, seed: 97)
        for level in KernelLevel.supported {
            KernelLevel.withCeiling(level) {
                #expect(KernelLevel.current == level)
                var nt = [Float](repeating: 0, count: m * n), nn = nt, many = nt
                numerics_sgemm_nt(m, n, k, 1, a, k, w, k, &nt, n, 0)
                numerics_sgemm_nt_many_rows(m, n, k, 1, a, k, w, k, &many, n, 0)
                numerics_sgemm_nn(m, n, k, a, k, b, n, &nn, n)
                for c in [nt, many] {
                    Self.expectProduct(c, start: nt, m: m, n: n, k: k, ldc: n, alpha: 1, accumulate: false) {
                        Double(a[$0 * k + $2]) * Double(w[$1 * k + $2])
                    }
                }
                Self.expectProduct(nn, start: nn, m: m, n: n, k: k, ldc: n, alpha: 1, accumulate: false) {
                    Double(a[$0 * k + $2]) * Double(b[$2 * n + $1])
                }
                for kind in [Int32(0), 1] {
                    var x = Self.values(37, seed: 98).map { $0 * 6 }
                    let before = x
                    numerics_activation(&x, x.count, nil, kind)
                    for (got, v) in zip(x, before) {
                        let v = Double(v)
                        let expected = kind == 1 ? 0.5 * v * (1 + erf(v / 2.0.squareRoot())) : v / (1 + exp(-1.702 * v))
                        #expect(abs(Double(got) - expected) <= 1e-6 * (1 + abs(expected)), "\(level) activation \(kind)")
                    }
                }
                var p = Self.values(41, seed: 99).map { $0 * 10 }
                let logits = p.map(Double.init)
                numerics_softmax_row(&p, p.count)
                let total = logits.map { exp($0 - logits.max()!) }.reduce(0, +)
                for (got, logit) in zip(p, logits) {
                    #expect(abs(Double(got) - exp(logit - logits.max()!) / total) <= 1e-6, "\(level) softmax")
                }
            }
        }
    }

    /// The detected level follows the CPU's flags (as `/proc/cpuinfo` lists them); a ceiling lowers the level of
    /// the calling thread and of the ``Parallel`` rounds it starts, and is undone afterwards.
    @Test func kernelLevelFollowsTheCPUAndTheCeiling() throws {
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            let flags = Set(
                cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }.map { $0.split(separator: " ").map(String.init) } ?? [])
            let avx2 = flags.isSuperset(of: ["avx2", "fma", "f16c"])
            let avx512 = avx2 && flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"])
            #expect(KernelLevel.detected == (avx512 ? .avx512 : avx2 ? .avx2 : .portable))
        }
        #expect(KernelLevel.current == KernelLevel.detected)
        for level in KernelLevel.supported {
            KernelLevel.withCeiling(level) {
                #expect(KernelLevel.current == level)
                let seen = Mutex<Set<KernelLevel>>([])
                Parallel.forEachPiece(64, pieceSize: 1, threads: 3) { _ in
                    let current = KernelLevel.current
                    seen.withLock { _ = $0.insert(current) }
                }
                #expect(seen.withLock { $0 } == [level])
            }
            #expect(KernelLevel.current == KernelLevel.detected)
        }
    }

    /// A packed `Linear` equals the definition on the kernel path (several pieces across threads) and on the BLAS
    /// path (which unpacks), gives its weight back exactly, and converts to float16 like the row-major layer.
    @Test(arguments: [(1, 515, 300), (8, 64, 3), (50, 130, 300), (200, 100, 150)])
    func packedLinearMatchesDefinition(rows: Int, inFeatures: Int, out: Int) {
        let x = Tensor.randomNormal(shape: [rows, inFeatures], seed: 71)
        let w = Tensor.randomNormal(shape: [out, inFeatures], seed: 72)
        let b = Tensor.randomNormal(shape: [out], seed: 73)
        let start = Tensor.randomNormal(shape: [rows, out], seed: 74)
        let layer = Linear(weight: w, bias: b).packed()
        #expect(layer.isPacked && layer.precision == .float32 && layer.weight.scalars == w.scalars)
        #expect(layer.converted(to: .float16).weight.scalars == Linear(weight: w, bias: b).converted(to: .float16).weight.scalars)
        for path in Linear.ProductPath.allCases {
            var y = start
            x.withUnsafeBufferPointer { input in
                y.withUnsafeMutableBufferPointer { output in
                    layer.apply(input.baseAddress!, rows: rows, into: output.baseAddress!, mode: .accumulate, path: path)
                }
            }
            let expected = Self.accumulatedLinear(x, w, b, onto: start)
            #expect(KernelTests.close(y.scalars, expected, tolerance: 1e-4), "\(path) \(rows)x\(inFeatures)→\(out)")
        }
    }

    /// The product path is a value scoped to the work given it (`Linear.withProducts`), not a process-wide switch:
    /// a layer called with no `path:` takes the scope's path (here the BLAS path, which leaves a packed layer's
    /// panels alone and reads the source), the loaders prepare layers for it, and work outside the scope (another
    /// task at the same time) keeps the kernel path.
    @Test func productChoiceIsScopedToItsWork() async {
        let x = Tensor.randomNormal(shape: [3, 40], seed: 81)
        let w = Tensor.randomNormal(shape: [24, 40], seed: 82)
        let layer = Linear(weight: w, bias: nil)
        #expect(Linear.productPath == .kernel && Linear.fewRowsPath == .kernel)
        let blas = Linear.ProductChoice(path: .blas, fewRows: .sgemv)
        let (inside, prepared, y) = Linear.withProducts(blas) {
            (Linear.products, layer.preparedForProducts().isPacked, layer(x))
        }
        #expect(inside == blas && !prepared && Linear.products == Linear.ProductChoice())
        #expect(layer.preparedForProducts().isPacked)
        var expected = [Float](repeating: 0, count: 3 * 24)
        x.withUnsafeBufferPointer { input in
            layer.apply(input.baseAddress!, rows: 3, into: &expected, path: .blas, fewRows: .sgemv)
        }
        #expect(y.scalars == expected)
        let seen = await withTaskGroup(of: Linear.ProductPath.self) { group in
            group.addTask { Linear.withProducts(blas) { Linear.productPath } }
            group.addTask { Linear.productPath }
            var paths: [Linear.ProductPath] = []
            for await path in group { paths.append(path) }
            return paths.sorted { $0.rawValue < $1.rawValue }
        }
        #expect(seen == [.blas, .kernel])
        #expect(Parallel.withThreads(3) { Parallel.threadCount } == 3 && Parallel.threadCount == nil)
    }

    @Test(arguments: [(1, 1, 1), (6, 7, 5), (7, 8, 50), (13, 16, 3), (5, 24, 77), (12, 64, 50), (3, 70, 9)])
    func nnMatchesDefinition(m: Int, n: Int, k: Int) {
        let (lda, ldb, ldc) = (k + 2, n + 5, n + 3)
        let a = Self.values(m * lda, seed: 6), b = Self.values(k * ldb, seed: 7)
        let start = Self.values(m * ldc, seed: 8)
        var c = start
        numerics_sgemm_nn(m, n, k, a, lda, b, ldb, &c, ldc)
        Self.expectProduct(c, start: start, m: m, n: n, k: k, ldc: ldc, alpha: 1, accumulate: false) {
            Double(a[$0 * lda + $2]) * Double(b[$2 * ldb + $1])
        }
    }

    /// `Linear` on both product paths, more rows than the few-rows limit, output columns split across threads;
    /// 200 rows take the many-rows kernel.
    @Test(arguments: Linear.ProductPath.allCases, [(50, 130, 300), (200, 100, 150)])
    func linearPathsMatchDefinition(path: Linear.ProductPath, shape: (Int, Int, Int)) {
        let (rows, inFeatures, out) = shape
        let x = Tensor.randomNormal(shape: [rows, inFeatures], seed: 31)
        let w = Tensor.randomNormal(shape: [out, inFeatures], seed: 32)
        let b = Tensor.randomNormal(shape: [out], seed: 33)
        let start = Tensor.randomNormal(shape: [rows, out], seed: 34)
        let layer = Linear(weight: w, bias: b)
        var y = start
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in
                layer.apply(input.baseAddress!, rows: rows, into: output.baseAddress!, mode: .accumulate, path: path)
            }
        }
        #expect(KernelTests.close(y.scalars, Self.accumulatedLinear(x, w, b, onto: start), tolerance: 1e-4))
    }

    /// Causal attention over more tokens than one block of query rows (``MultiHeadAttention/causalBlock``): each
    /// block's scores cover only the keys up to its last row, and the result is still the definition's, on both
    /// paths, for lengths at, just past and well past a block edge; rows picked by position equal the full result's.
    @Test(arguments: [16, 17, 40, 77])
    func causalAttentionAcrossQueryBlocksMatchesDefinition(tokens: Int) {
        #expect(tokens >= MultiHeadAttention.causalBlock)
        let attention = KernelTests.randomAttention(width: 32, heads: 2, seed: 50)
        let x = Tensor.randomNormal(shape: [2, tokens, 32], std: 0.5, seed: 51)
        let expected = KernelTests.referenceAttention(x, attention, causal: true)
        for path in Linear.ProductPath.allCases {
            let y = attention.attend(x, positions: nil, causal: true, path: path)
            #expect(KernelTests.close(y.scalars, expected, tolerance: 1e-4), "\(path) \(tokens) tokens")
            let positions = [tokens - 1, tokens / 2]
            let picked = attention.attend(x, positions: positions, causal: true, path: path)
            let rows = y.gatherRows(positions.enumerated().map { $0.offset * tokens + $0.element })
            #expect(picked.maxAbsDifference(rows) <= 1e-5, "\(path) \(tokens) tokens at positions")
        }
    }

    /// Attention with head widths that take the 16- and 8-column tiles and the scalar tail, on both paths.
    @Test(arguments: [(48, 2), (64, 1), (20, 2)])
    func attentionOnBothPathsMatchesDefinition(width: Int, heads: Int) {
        let attention = KernelTests.randomAttention(width: width, heads: heads, seed: 40)
        let x = Tensor.randomNormal(shape: [2, 7, width], std: 0.5, seed: 41)
        for path in Linear.ProductPath.allCases {
            for causal in [false, true] {
                let y = attention.attend(x, positions: nil, causal: causal, path: path)
                let expected = KernelTests.referenceAttention(x, attention, causal: causal)
                #expect(KernelTests.close(y.scalars, expected, tolerance: 1e-4), "\(path) causal \(causal)")
            }
        }
    }

    /// `act(x·Wᵀ + b)` in one call, on both paths and on row-major and packed layers (the kernel path applies the
    /// activation per piece of columns): equal to the definition, the output stride's padding left alone, and the
    /// kernel path equal bit for bit to its product followed by the separate bias + activation pass.
    @Test(arguments: Activation.allCases, [(3, 70, 130), (50, 64, 200)])
    func linearWithActivationMatchesDefinition(activation: Activation, shape: (Int, Int, Int)) {
        let (rows, inFeatures, out) = shape
        let ldc = out + 5
        let x = Tensor.randomNormal(shape: [rows, inFeatures], seed: 81)
        let w = Tensor.randomNormal(shape: [out, inFeatures], std: 0.2, seed: 82)
        let b = Tensor.randomNormal(shape: [out], seed: 83)
        let start = Self.values(rows * ldc, seed: 84)
        for layer in [Linear(weight: w, bias: b), Linear(weight: w, bias: b).packed()] {
            var results: [Linear.ProductPath: [Float]] = [:]
            for path in Linear.ProductPath.allCases {
                var y = start
                x.withUnsafeBufferPointer { input in
                    layer.apply(input.baseAddress!, rows: rows, into: &y, outputStride: ldc, activation: activation, path: path)
                }
                for r in 0..<rows {
                    #expect(Array(y[(r * ldc + out)..<((r + 1) * ldc)]) == Array(start[(r * ldc + out)..<((r + 1) * ldc)]))
                    var pre = Tensor(zeros: [out])
                    pre.withUnsafeMutableBufferPointer { p in
                        for o in 0..<out {
                            var acc = Double(b[flat: o])
                            for i in 0..<inFeatures { acc += Double(x[flat: r * inFeatures + i]) * Double(w[flat: o * inFeatures + i]) }
                            p[o] = Float(acc)
                        }
                    }
                    let expected = activation(pre).scalars.map(Double.init)
                    #expect(KernelTests.close(Array(y[(r * ldc)..<(r * ldc + out)]), expected, tolerance: 1e-4), "\(path) row \(r)")
                }
                results[path] = y
            }
            var twoPasses = start
            x.withUnsafeBufferPointer { input in
                layer.apply(input.baseAddress!, rows: rows, into: &twoPasses, outputStride: ldc, mode: .overwriteWithoutBias, path: .kernel)
            }
            activation.apply(&twoPasses, rows: rows, stride: ldc, addingBias: b)
            #expect(results[.kernel] == twoPasses, "\(activation) packed \(layer.isPacked)")
        }
    }

    /// The bias + activation pass over rows stored with a padded stride leaves the padding alone.
    @Test func activationWithBiasHonoursTheRowStride() {
        let (rows, width, stride) = (5, 19, 24)
        let bias = Tensor.randomNormal(shape: [width], seed: 50)
        let start = Self.values(rows * stride, seed: 51)
        for activation in Activation.allCases {
            var data = start
            data.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, rows: rows, stride: stride, addingBias: bias) }
            for r in 0..<rows {
                let row = Tensor(shape: [width], values: (0..<width).map { start[r * stride + $0] + bias[flat: $0] })
                #expect(Array(data[(r * stride)..<(r * stride + width)]) == activation(row).scalars, "\(activation) row \(r)")
                #expect(Array(data[(r * stride + width)..<((r + 1) * stride)]) == Array(start[(r * stride + width)..<((r + 1) * stride)]))
            }
        }
    }

    /// `start + x · wᵀ + b` in double precision, row by row (`x` `[rows, in]`, `w` `[out, in]`, `start` `[rows, out]`).
    static func accumulatedLinear(_ x: Tensor, _ w: Tensor, _ b: Tensor, onto start: Tensor) -> [Double] {
        let (rows, inFeatures, out) = (x.shape[0], x.shape[1], w.shape[0])
        var expected: [Double] = []
        for r in 0..<rows {
            for o in 0..<out {
                var acc = Double(start[flat: r * out + o]) + Double(b[flat: o])
                for i in 0..<inFeatures { acc += Double(x[flat: r * inFeatures + i]) * Double(w[flat: o * inFeatures + i]) }
                expected.append(acc)
            }
        }
        return expected
    }
}
