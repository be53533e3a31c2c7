import Dispatch
import Testing

@testable import Numerics

/// ``Linear/packedOnFirstProduct()`` (what ``Linear/preparedForProducts()`` makes on the kernel path): the weight is
/// packed by the first kernel product, once, with results bit-identical to packing at load (``Linear/packed()``).
@Suite struct PackedOnFirstProductTests {
    /// A borrowed-memory owner that records which ranges it was asked to drop from resident memory.
    final class ReleaseRecorder: ResidentPageReleasing, @unchecked Sendable {
        var releases: [(start: UnsafeRawPointer, byteCount: Int)] = []
        func releaseResidentPages(_ start: UnsafeRawPointer, byteCount: Int) { releases.append((start, byteCount)) }
    }

    static func lazyState(_ layer: Linear) -> PackedOnFirstUse? {
        if case .packedOnFirstProduct(let lazy) = layer.storage { lazy } else { nil }
    }

    /// `layer` on `x` into a copy of `start`, on `path` (`mode` accumulate: the bias and residual both matter).
    static func product(
        _ layer: Linear, _ x: Tensor, start: Tensor, path: Linear.ProductPath = .kernel,
        fewRows: Linear.FewRowsPath = .kernel
    ) -> [Float] {
        var y = start
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in
                layer.apply(
                    input.baseAddress!, rows: x.rowCount, into: output.baseAddress!, mode: .accumulate, path: path,
                    fewRows: fewRows)
            }
        }
        return y.scalars
    }

    /// Nothing is copied until the first kernel product; that product packs once and gives exactly the eager
    /// layer's results (plain, with an activation, and inside attention's shared round of products); later products
    /// reuse the panels.
    @Test(arguments: [(1, 515, 300), (8, 64, 3), (50, 130, 300), (200, 100, 150)])
    func lazyEqualsEagerBitForBit(rows: Int, inFeatures: Int, out: Int) throws {
        let x = Tensor.randomNormal(shape: [rows, inFeatures], seed: 81)
        let w = Tensor.randomNormal(shape: [out, inFeatures], seed: 82)
        let b = Tensor.randomNormal(shape: [out], seed: 83)
        let start = Tensor.randomNormal(shape: [rows, out], seed: 84)
        let eager = Linear(weight: w, bias: b).packed()
        let lazy = Linear(weight: w, bias: b).packedOnFirstProduct()
        let state = try #require(Self.lazyState(lazy))
        #expect(lazy.isPacked && lazy.precision == .float32)
        #expect(lazy.weight.storage === w.storage)  // the source itself, not a copy
        #expect(state.timesPacked == 0)

        let expected = Self.product(eager, x, start: start)
        #expect(Self.product(lazy, x, start: start) == expected)
        #expect(state.timesPacked == 1)
        #expect(Self.product(lazy, x, start: start) == expected)
        #expect(state.timesPacked == 1)
        #expect(lazy.weight.scalars == w.scalars && lazy.weight.storage !== w.storage)

        // With an activation: a fresh lazy layer, packed by this call.
        var withActivation = Tensor(zeros: [rows, out]), eagerActivation = Tensor(zeros: [rows, out])
        let fresh = Linear(weight: w, bias: b).packedOnFirstProduct()
        x.withUnsafeBufferPointer { input in
            withActivation.withUnsafeMutableBufferPointer {
                fresh.apply(input.baseAddress!, rows: rows, into: $0.baseAddress!, activation: .gelu, path: .kernel)
            }
            eagerActivation.withUnsafeMutableBufferPointer {
                eager.apply(input.baseAddress!, rows: rows, into: $0.baseAddress!, activation: .gelu, path: .kernel)
            }
        }
        #expect(withActivation.scalars == eagerActivation.scalars)
        #expect(Self.lazyState(fresh)?.timesPacked == 1)
    }

    /// Attention's q, k and v products share one round of threads; each lazy layer packs before the split.
    @Test func lazyAttentionEqualsEager() {
        let attention = KernelTests.randomAttention(width: 48, heads: 2, seed: 85)
        let eager = MultiHeadAttention(
            query: attention.query.packed(), key: attention.key.packed(), value: attention.value.packed(),
            output: attention.output.packed(), heads: 2)
        let lazy = MultiHeadAttention(
            query: attention.query.packedOnFirstProduct(), key: attention.key.packedOnFirstProduct(),
            value: attention.value.packedOnFirstProduct(), output: attention.output.packedOnFirstProduct(), heads: 2)
        let x = Tensor.randomNormal(shape: [2, 7, 48], std: 0.5, seed: 86)
        for causal in [false, true] {
            #expect(lazy.attend(x, positions: nil, causal: causal, path: .kernel).scalars
                == eager.attend(x, positions: nil, causal: causal, path: .kernel).scalars)
        }
        for layer in [lazy.query, lazy.key, lazy.value, lazy.output] { #expect(Self.lazyState(layer)?.timesPacked == 1) }
    }

    /// The first products of one layer from several threads at once pack it once and all give the eager results.
    @Test func concurrentFirstProductsPackOnce() throws {
        let (rows, inFeatures, out) = (3, 200, 160)
        let x = Tensor.randomNormal(shape: [rows, inFeatures], seed: 87)
        let w = Tensor.randomNormal(shape: [out, inFeatures], seed: 88)
        let b = Tensor.randomNormal(shape: [out], seed: 89)
        let start = Tensor(zeros: [rows, out])
        let expected = Self.product(Linear(weight: w, bias: b).packed(), x, start: start)
        let lazy = Linear(weight: w, bias: b).packedOnFirstProduct()
        let callers = 8
        let results = TensorStorage(zeroedCount: callers * rows * out)
        let shared = UnsafeMutableSendablePointer(results.pointer)
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            let output = shared.base + caller * rows * out
            x.withUnsafeBufferPointer { input in
                lazy.apply(input.baseAddress!, rows: rows, into: output, mode: .accumulate, path: .kernel)
            }
        }
        #expect(try #require(Self.lazyState(lazy)).timesPacked == 1)
        for caller in 0..<callers {
            let got = Array(UnsafeBufferPointer(start: results.pointer + caller * rows * out, count: rows * out))
            #expect(got == expected, "caller \(caller)")
        }
    }

    /// The BLAS path (and its few-rows variants) reads the source as it is: no packing, the row-major layer's
    /// results exactly.
    @Test func blasPathDoesNotPack() throws {
        let w = Tensor.randomNormal(shape: [40, 30], seed: 90)
        let b = Tensor.randomNormal(shape: [40], seed: 91)
        let lazy = Linear(weight: w, bias: b).packedOnFirstProduct()
        let rowMajor = Linear(weight: w, bias: b)
        for rows in [2, 20] {
            let x = Tensor.randomNormal(shape: [rows, 30], seed: 92)
            let start = Tensor.randomNormal(shape: [rows, 40], seed: 93)
            for fewRows in Linear.FewRowsPath.allCases {
                #expect(Self.product(lazy, x, start: start, path: .blas, fewRows: fewRows)
                    == Self.product(rowMajor, x, start: start, path: .blas, fewRows: fewRows), "\(rows) rows, \(fewRows)")
            }
        }
        #expect(try #require(Self.lazyState(lazy)).timesPacked == 0)
    }

    /// Float16 conversion of a lazy layer, before or after its first product, equals that of an eager one (weights
    /// and products); before, it packs half precision straight from the source (no float32 panels made).
    @Test func float16ConversionEqualsEager() throws {
        let (rows, inFeatures, out) = (5, 70, 90)
        let x = Tensor.randomNormal(shape: [rows, inFeatures], seed: 94)
        let w = Tensor.randomNormal(shape: [out, inFeatures], seed: 95)
        let b = Tensor.randomNormal(shape: [out], seed: 96)
        let start = Tensor.randomNormal(shape: [rows, out], seed: 97)
        let eager = Linear(weight: w, bias: b).packed().converted(to: .float16)
        let expected = Self.product(eager, x, start: start)
        let lazy = Linear(weight: w, bias: b).packedOnFirstProduct()
        let unpackedHalf = lazy.converted(to: .float16)
        #expect(try #require(Self.lazyState(lazy)).timesPacked == 0)
        guard case .packedFloat16 = unpackedHalf.storage else {
            Issue.record("a lazy layer converted to float16 should hold half-precision panels")
            return
        }
        #expect(unpackedHalf.precision == .float16 && unpackedHalf.isPacked)
        #expect(unpackedHalf.weight.scalars == eager.weight.scalars)
        #expect(Self.product(unpackedHalf, x, start: start) == expected)

        _ = Self.product(lazy, x, start: start)  // packs
        let packedHalf = lazy.converted(to: .float16)
        #expect(packedHalf.weight.scalars == eager.weight.scalars)
        #expect(Self.product(packedHalf, x, start: start) == expected)
        #expect(lazy.converted(to: .float32).weight.scalars == w.scalars)
    }

    /// A source borrowed from elsewhere (as from a memory-mapped file) keeps its pages until the first product;
    /// that product asks its owner once to drop exactly the weight's bytes and lets go of the source.
    @Test func firstProductReleasesTheSourcePages() throws {
        let (inFeatures, out) = (1000, 48)
        let values = Tensor.randomNormal(shape: [out, inFeatures], seed: 98)
        let recorder = ReleaseRecorder()
        weak var sourceStorage: TensorStorage?
        let lazy: Linear = {
            let storage = TensorStorage(borrowing: values.storage.pointer, count: values.count, owner: recorder)
            sourceStorage = storage
            return Linear(weight: Tensor(shape: [out, inFeatures], storage: storage), bias: nil).packedOnFirstProduct()
        }()
        #expect(recorder.releases.isEmpty && sourceStorage != nil)
        let x = Tensor.randomNormal(shape: [2, inFeatures], seed: 99)
        let start = Tensor(zeros: [2, out])
        let expected = Self.product(Linear(weight: values, bias: nil).packed(), x, start: start)
        #expect(Self.product(lazy, x, start: start) == expected)
        #expect(recorder.releases.count == 1)
        #expect(recorder.releases.first?.start == UnsafeRawPointer(values.storage.pointer))
        #expect(recorder.releases.first?.byteCount == out * inFeatures * MemoryLayout<Float>.stride)
        #expect(sourceStorage == nil)  // the layer no longer holds the source
        #expect(Self.product(lazy, x, start: start) == expected)
        #expect(recorder.releases.count == 1)
    }
}
