import Testing
@testable import Numerics

@Suite struct TensorTests {
    @Test func zerosHaveShapeAndCount() {
        let t = Tensor(zeros: [2, 3])
        #expect(t.shape == [2, 3])
        #expect(t.count == 6)
        #expect(t.scalars == [0, 0, 0, 0, 0, 0])
    }

    @Test func copiesAreIndependentAfterWrite() {
        var a = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let b = a
        a[flat: 0] = 9
        #expect(a.scalars == [9, 2, 3, 4])
        #expect(b.scalars == [1, 2, 3, 4])
    }

    @Test func borrowedStorageIsCopiedBeforeWriting() {
        let backing: [Float] = [1, 2, 3]
        backing.withUnsafeBufferPointer { buffer in
            let storage = TensorStorage(borrowing: buffer.baseAddress!, count: 3, owner: nil)
            var t = Tensor(shape: [3], storage: storage)
            t[flat: 1] = 7
            #expect(t.scalars == [1, 7, 3])
            #expect(!t.storage.isBorrowed)
        }
        #expect(backing == [1, 2, 3])
    }

    @Test func reshapeSharesElements() {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let r = t.reshaped([3, 2])
        #expect(r.shape == [3, 2])
        #expect(r.storage === t.storage)
    }
}
