/// Emits the protocol-2 pickle `torch.save(state_dict)` writes for an `OrderedDict` of tensors:
/// each value is `torch._utils._rebuild_tensor_v2(persistent storage, 0, size, stride, False, OrderedDict())`.
struct PickleWriter {
    private(set) var bytes: [UInt8] = [0x80, 0x02]  // PROTO 2
    private var memo: [String: UInt32] = [:]

    private mutating func op(_ code: UInt8) { bytes.append(code) }

    private mutating func global(_ module: String, _ name: String) {
        let key = module + "." + name
        if let index = memo[key] {
            op(0x6A)  // LONG_BINGET
            withUnsafeBytes(of: index.littleEndian) { bytes.append(contentsOf: $0) }
            return
        }
        op(0x63)  // GLOBAL
        bytes.append(contentsOf: Array((module + "\n" + name + "\n").utf8))
        let index = UInt32(memo.count)
        memo[key] = index
        op(0x72)  // LONG_BINPUT
        withUnsafeBytes(of: index.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        op(0x58)  // BINUNICODE
        withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: utf8)
    }

    private mutating func int(_ v: Int) {
        if v >= 0 && v < 256 {
            op(0x4B)  // BININT1
            bytes.append(UInt8(v))
        } else if v >= Int(Int32.min) && v <= Int(Int32.max) {
            op(0x4A)  // BININT
            withUnsafeBytes(of: Int32(v).littleEndian) { bytes.append(contentsOf: $0) }
        } else {
            op(0x8A)  // LONG1, 8 bytes two's complement
            bytes.append(8)
            withUnsafeBytes(of: Int64(v).littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    private mutating func intTuple(_ values: [Int]) {
        if values.isEmpty {
            op(0x29)  // EMPTY_TUPLE
            return
        }
        op(0x28)  // MARK
        for v in values { int(v) }
        op(0x74)  // TUPLE
    }

    private mutating func emptyOrderedDict() {
        global("collections", "OrderedDict")
        op(0x29)  // EMPTY_TUPLE
        op(0x52)  // REDUCE
    }

    /// Writes the whole dictionary: `tensors[i]` is stored as storage key `"i"` of type `storageClass`.
    mutating func writeStateDict(_ tensors: [(name: String, shape: [Int])], storageClass: String) {
        emptyOrderedDict()
        op(0x28)  // MARK
        for (i, t) in tensors.enumerated() {
            string(t.name)
            global("torch._utils", "_rebuild_tensor_v2")
            op(0x28)  // MARK: arguments
            op(0x28)  // MARK: persistent id
            string("storage")
            global("torch", storageClass)
            string(String(i))
            string("cpu")
            int(t.shape.reduce(1, *))
            op(0x74)  // TUPLE
            op(0x51)  // BINPERSID
            int(0)
            intTuple(t.shape)
            var strides = [Int](repeating: 1, count: t.shape.count)
            var running = 1
            for d in stride(from: t.shape.count - 1, through: 0, by: -1) {
                strides[d] = running
                running *= t.shape[d]
            }
            intTuple(strides)
            op(0x89)  // NEWFALSE: requires_grad
            emptyOrderedDict()  // backward hooks
            op(0x74)  // TUPLE
            op(0x52)  // REDUCE
        }
        op(0x75)  // SETITEMS
        op(0x2E)  // STOP
    }
}
