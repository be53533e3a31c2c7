import Numerics

/// A numpy array read from a pickle as data: numpy's own reconstruction recipe
/// (`numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` then BUILD with
/// `(version, shape, dtype, is_fortran, raw_bytes_or_object_list)`, or protocol 5's
/// `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)`) interpreted by the restricted reader. Nothing
/// is called.
public struct NumPyArray: Sendable, Equatable {
    /// numpy's type character and size, e.g. `f4`, `i8`, `u1`, `b1`, `O` (objects).
    public var kind: String
    /// `true` for big-endian data.
    public var bigEndian: Bool
    public var shape: [Int]
    /// `true` when the bytes are in column-major (Fortran) order.
    public var fortranOrder: Bool
    /// The raw element bytes (empty for object arrays).
    public var bytes: [UInt8]
    /// The elements of an object array (`dtype('O')`), in storage order.
    public var objects: [PickleValue]

    public static func == (a: NumPyArray, b: NumPyArray) -> Bool {
        a.kind == b.kind && a.bigEndian == b.bigEndian && a.shape == b.shape && a.fortranOrder == b.fortranOrder
            && a.bytes == b.bytes && a.objects.count == b.objects.count
    }

    /// Number of elements (the product of the shape).
    public var count: Int { shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 } }

    /// The elements as `Double`s in row-major (C) order, or `nil` for object arrays and kinds without a numeric
    /// value (strings, complex).
    public var doubles: [Double]? {
        guard kind != "O", let size = Self.byteSize(kind), size > 0, bytes.count == count * size else { return nil }
        var out: [Double] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            var raw: UInt64 = 0
            for k in 0..<size {
                let b = UInt64(bytes[i * size + (bigEndian ? size - 1 - k : k)])
                raw |= b << (8 * UInt64(k))
            }
            switch (kind.first, size) {
            case ("f", 8): out.append(Double(bitPattern: raw))
            case ("f", 4): out.append(Double(Float(bitPattern: UInt32(raw))))
            case ("f", 2): out.append(Double(HalfFloatConversion.float(fromHalf: UInt16(raw))))
            case ("i", _):
                let shift = UInt64(64 - 8 * size)
                out.append(Double(Int64(bitPattern: raw << shift) >> Int64(shift)))
            case ("u", _), ("b", _): out.append(Double(raw))
            default: return nil
            }
        }
        guard fortranOrder, shape.count > 1 else { return out }
        // Column-major to row-major.
        var rowMajor = [Double](repeating: 0, count: out.count)
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<out.count {
            var f = 0, stride = 1
            for d in 0..<shape.count { f += index[d] * stride; stride *= shape[d] }
            rowMajor[i] = out[f]
            var d = shape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
        }
        return rowMajor
    }

    /// Bytes per element of a numeric kind (`f4` → 4, `?`/`b1` → 1), or `nil`.
    static func byteSize(_ kind: String) -> Int? {
        if kind == "?" { return 1 }
        guard let first = kind.first, "fiub".contains(first), let n = Int(kind.dropFirst()), [1, 2, 4, 8].contains(n) else { return nil }
        return n
    }

    /// A dtype as numpy pickles it: `numpy.dtype(kind, align, copy)` REDUCE, then BUILD with
    /// `(version, byte_order, …)`. Kept as `.object(className: "numpy.dtype", …)`; this reads it.
    static func dtype(_ value: PickleValue) -> (kind: String, bigEndian: Bool)? {
        guard case .object(let cls, let args, let state) = value, cls.hasSuffix(".dtype"), case .string(let raw)? = args.first else {
            return nil
        }
        var kind = raw, big = false
        if let c = kind.first, "<>|=".contains(c) {
            big = c == ">"
            kind.removeFirst()
        }
        if case .tuple(let s)? = state, s.count > 1, case .string(let order) = s[1] { big = order == ">" }
        if kind == "?" { kind = "b1" }
        return (kind, big)
    }

    /// The array of a BUILD state `(version, shape, dtype, is_fortran, data)`.
    static func fromState(_ state: PickleValue) -> NumPyArray? {
        guard case .tuple(let s) = state, s.count == 5, case .tuple(let dims) = s[1], let (kind, big) = dtype(s[2]) else { return nil }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let n) = d, n >= 0 else { return nil }
            shape.append(n)
        }
        let fortran: Bool
        switch s[3] {
        case .bool(let b): fortran = b
        case .int(let i): fortran = i != 0
        default: return nil
        }
        var array = NumPyArray(kind: kind, bigEndian: big, shape: shape, fortranOrder: fortran, bytes: [], objects: [])
        switch s[4] {
        case .bytes(let b): array.bytes = b
        case .string(let text): array.bytes = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }  // latin-1
        case .list(let l): array.objects = l.items
        default: return nil
        }
        if kind != "O" {
            guard let size = byteSize(kind), array.count != Int.max, array.bytes.count == array.count * size else { return nil }
        } else {
            guard array.objects.count == array.count else { return nil }
        }
        return array
    }

    /// `_frombuffer(buffer, dtype, shape, order)` (protocol 5).
    static func fromBuffer(_ args: [PickleValue]) -> NumPyArray? {
        guard args.count == 4, case .bytes(let b) = args[0], case .tuple(let dims) = args[2], case .string(let order) = args[3]
        else { return nil }
        return fromState(.tuple([.int(1), .tuple(dims), args[1], .bool(order == "F"), .bytes(b)]))
    }

    /// `numpy.core.multiarray.scalar(dtype, raw_bytes)` as a plain value (`.float`, `.int`, `.bool`).
    static func scalar(_ args: [PickleValue]) -> PickleValue? {
        guard args.count == 2, let (kind, big) = dtype(args[0]) else { return nil }
        let raw: [UInt8]
        switch args[1] {
        case .bytes(let b): raw = b
        case .string(let text): raw = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        default: return nil
        }
        let one = NumPyArray(kind: kind, bigEndian: big, shape: [], fortranOrder: false, bytes: raw, objects: [])
        guard let value = one.doubles?.first else { return nil }
        switch kind.first {
        case "f": return .float(value)
        case "b", "?": return .bool(value != 0)
        default: return abs(value) < 9.0e15 ? .int(Int(value)) : .float(value)
        }
    }
}
