/// A mutable list inside a pickle tree (shared by reference, as Python lists are).
public final class PickleList: @unchecked Sendable {
    /// The items. Only mutated while the reader builds the tree (safe because the tree is frozen afterwards).
    public internal(set) var items: [PickleValue]
    /// Nesting depth the reader tracks (1 + the deepest item), and whether the list already sits inside
    /// another value (after which the reader refuses to change it, so every depth stays exact).
    var depth = 1
    var attached = false
    init(_ items: [PickleValue] = []) { self.items = items }
}

/// A mutable dictionary inside a pickle tree, keeping insertion order (covers `dict` and `OrderedDict`).
public final class PickleDict: @unchecked Sendable {
    /// Key/value pairs in insertion order. Only mutated while the reader builds the tree.
    public internal(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    private var index: [String: Int] = [:]
    /// As ``PickleList``'s: the reader's depth bookkeeping.
    var depth = 1
    var attached = false

    init() {}

    func set(_ key: PickleValue, _ value: PickleValue) {
        if let k = key.stringKey, let i = index[k] {
            entries[i].value = value
            return
        }
        if let k = key.stringKey { index[k] = entries.count }
        entries.append((key, value))
    }

    /// The value stored under a string or integer key.
    public subscript(_ key: String) -> PickleValue? {
        guard let i = index[key] else { return nil }
        return entries[i].value
    }
}

/// A storage named by a tensor: `('storage', torch.FloatStorage, key, location, numel)`.
public struct TorchStorageReference: Sendable, Equatable {
    /// Element type of the storage (from its class, e.g. `torch.HalfStorage`).
    public var dtype: TorchElementType
    /// Record key: the storage's bytes live at `<archive>/data/<key>`.
    public var key: String
    /// Number of elements the pickle claims the storage holds.
    public var elementCount: Int
}

/// A tensor view over a storage, as `torch._utils._rebuild_tensor_v2` describes it.
public struct TorchTensorReference: Sendable, Equatable {
    public var storage: TorchStorageReference
    /// Offset of the first element, in elements.
    public var storageOffset: Int
    public var shape: [Int]
    /// Strides, in elements.
    public var strides: [Int]
}

/// Element types of PyTorch storages, named after their storage classes.
public enum TorchElementType: String, Sendable, CaseIterable {
    case float32 = "FloatStorage"
    case float16 = "HalfStorage"
    case bfloat16 = "BFloat16Storage"
    case float64 = "DoubleStorage"
    case int64 = "LongStorage"
    case int32 = "IntStorage"
    case int16 = "ShortStorage"
    case int8 = "CharStorage"
    case uint8 = "ByteStorage"
    case bool = "BoolStorage"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// The matching ``StoredDType``, when there is one.
    public var storedDType: StoredDType? {
        switch self {
        case .float32: .float32
        case .float16: .float16
        case .bfloat16: .bfloat16
        case .float64: .float64
        case .int64: .int64
        case .int32: .int32
        case .int8: .int8
        case .uint8: .uint8
        case .bool: .bool
        case .int16: nil
        }
    }
}

/// A value decoded by the restricted pickle reader. Nothing in it can run code: callables are only
/// names from an allow-list, and objects of allow-listed data-only classes stay opaque.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer too large for `Int`: little-endian two's complement bytes.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A reference to an allow-listed global (`module.name`), never called.
    case global(module: String, name: String)
    case storage(TorchStorageReference)
    case tensor(TorchTensorReference)
    /// An instance of an allow-listed data-only class (e.g. `argparse.Namespace`): its constructor
    /// arguments and `__setstate__` state, kept as data.
    case object(className: String, arguments: [PickleValue], state: PickleValue?)

    /// The key used for dictionary lookups (strings as themselves, integers as decimal).
    public var stringKey: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        default: nil
        }
    }

    /// The dictionary behind `.dict`, if this is one.
    public var dictionary: PickleDict? {
        if case .dict(let d) = self { return d }
        return nil
    }

    /// The value at a path of string keys through nested dictionaries (and `state` of opaque objects).
    public func value(at path: [String]) -> PickleValue? {
        var current = self
        for key in path {
            switch current {
            case .dict(let d):
                guard let next = d[key] else { return nil }
                current = next
            case .object(_, _, let state?):
                guard let next = state.value(at: [key]) else { return nil }
                current = next
            default:
                return nil
            }
        }
        return current
    }

    /// A short, non-recursive description for listings (`dict[12]`, `tensor[768, 3, 32, 32]`, `3`).
    public var summary: String {
        switch self {
        case .none: "None"
        case .bool(let b): b ? "True" : "False"
        case .int(let i): String(i)
        case .bigInt(let b): "int(\(b.count) bytes)"
        case .float(let f): String(f)
        case .string(let s): s.count > 60 ? "'\(s.prefix(57))...'" : "'\(s)'"
        case .bytes(let b): "bytes[\(b.count)]"
        case .tuple(let t): "tuple[\(t.count)]"
        case .list(let l): "list[\(l.items.count)]"
        case .dict(let d): "dict[\(d.entries.count)]"
        case .global(let m, let n): "\(m).\(n)"
        case .storage(let s): "storage(\(s.dtype.rawValue), \(s.elementCount))"
        case .tensor(let t): "tensor\(t.shape)"
        case .object(let c, _, _): "<\(c)>"
        }
    }
}
