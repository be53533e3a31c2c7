/// A restricted pickle reader (protocols 0–5 opcodes, as `torch.save` writes them) that never runs code.
///
/// It understands only what PyTorch state dicts and Lightning checkpoints need: plain containers and
/// scalars, `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter`,
/// storages named through `persistent_load` (`('storage', torch.FloatStorage, key, location, numel)`),
/// and a short allow-list of data-only classes that hyper-parameters may hold (kept opaque).
/// Every other global — `os.system`, `builtins.eval`, any user class — is an error naming it.
struct PickleReader {
    /// Globals whose REDUCE/NEWOBJ we interpret ourselves (never calling Python).
    private static let rebuilders: Set<String> = [
        "collections.OrderedDict", "collections.defaultdict",
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "_codecs.encode", "builtins.set", "builtins.frozenset", "builtins.bytearray",
        "builtins.list", "builtins.tuple", "builtins.dict",
        "torch.Size", "torch.device", "copyreg._reconstructor",
        // numpy arrays and scalars, rebuilt as ``NumPyArray`` data.
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
    ]
    /// Dictionary subclasses Lightning uses for hyper-parameters; decoded as plain dictionaries.
    private static let dictionaryClasses: Set<String> = [
        "lightning.fabric.utilities.data.AttributeDict",
        "lightning.pytorch.utilities.parsing.AttributeDict",
        "pytorch_lightning.utilities.parsing.AttributeDict",
        "lightning_fabric.utilities.data.AttributeDict",
    ]
    /// Data-only classes kept as opaque ``PickleValue/object(className:arguments:state:)`` values.
    static let opaqueClasses: Set<String> = [
        "argparse.Namespace",
        "omegaconf.dictconfig.DictConfig", "omegaconf.listconfig.ListConfig",
        "omegaconf.base.ContainerMetadata", "omegaconf.base.Metadata",
        "omegaconf.nodes.AnyNode", "omegaconf.nodes.StringNode", "omegaconf.nodes.IntegerNode",
        "omegaconf.nodes.FloatNode", "omegaconf.nodes.BooleanNode", "omegaconf.nodes.PathNode",
        "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath",
        "datetime.datetime", "datetime.date", "datetime.timedelta",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
        "builtins.slice", "builtins.complex",
    ]
    /// Globals that may appear as plain values (types named in data, dtypes), never called.
    private static let plainGlobals: Set<String> = [
        "builtins.object", "builtins.int", "builtins.float", "builtins.str", "builtins.bool",
        "builtins.bytes", "typing.Any", "torch.float32", "torch.float16", "torch.bfloat16",
        "torch.float64", "torch.int64", "torch.int32", "torch.int8", "torch.uint8", "torch.bool",
        "numpy.ndarray",
    ]

    /// Whether `module.name` may appear in a checkpoint.
    static func isAllowed(_ qualified: String) -> Bool {
        rebuilders.contains(qualified) || dictionaryClasses.contains(qualified) || opaqueClasses.contains(qualified)
            || plainGlobals.contains(qualified) || storageType(qualified) != nil
    }

    private static func storageType(_ qualified: String) -> TorchElementType? {
        guard qualified.hasPrefix("torch.") else { return nil }
        return TorchElementType(rawValue: String(qualified.dropFirst("torch.".count)))
    }

    /// The deepest nesting of containers (lists, dicts, tuples, objects) a pickle may build. Real checkpoints
    /// nest fewer than 20 deep; the limit keeps every recursive release and walk of the tree far from the
    /// stack's end (tens of thousands of levels overflow it).
    static let maxDepth = 1_000

    /// A value on the machine's stack or in its memo, with its nesting depth.
    private struct Entry {
        var value: PickleValue
        var depth: Int
    }

    private let bytes: [UInt8]
    private let source: String
    private var position = 0
    private var stack: [Entry] = []
    private var marks: [Int] = []
    private var memo: [Int: Entry] = [:]

    /// Prepares to decode `bytes`; `source` names the file and record in error messages.
    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    private func fail(_ reason: String) -> WeightsError {
        .malformed(source: source, reason: "\(reason) (pickle byte \(position))")
    }

    // MARK: Reading primitives (all bounds-checked)

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw fail("pickle is truncated: needs \(count) more bytes, \(bytes.count - position) left")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    private mutating func byte() throws -> UInt8 { try take(1).first! }

    private mutating func littleEndian(_ count: Int) throws -> UInt64 {
        var value: UInt64 = 0
        for (i, b) in try take(count).enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
        return value
    }

    private mutating func length(_ width: Int) throws -> Int {
        let raw = try littleEndian(width)
        guard raw <= UInt64(bytes.count - position) else {
            throw fail("pickle claims a \(raw)-byte item but only \(bytes.count - position) bytes remain")
        }
        return Int(raw)
    }

    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("unterminated text line") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    private mutating func utf8(_ count: Int) throws -> String {
        let slice = try take(count)
        guard let s = String(validating: slice, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return s
    }

    private mutating func popEntry() throws -> Entry {
        guard let top = stack.popLast() else { throw fail("pickle stack underflow") }
        if let mark = marks.last, stack.count < mark { throw fail("pickle pops across a MARK") }
        return top
    }

    private mutating func pop() throws -> PickleValue { try popEntry().value }

    private mutating func popMark() throws -> [Entry] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw fail("pickle has no MARK to pop to") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private mutating func top() throws -> PickleValue {
        guard let top = stack.last else { throw fail("pickle stack is empty") }
        return top.value
    }

    // MARK: Depth bookkeeping

    /// The current depth of `entry`: lists' and dictionaries' own (they grow while being filled), else recorded.
    private func depth(_ entry: Entry) -> Int {
        switch entry.value {
        case .list(let l): max(l.depth, entry.depth)
        case .dict(let d): max(d.depth, entry.depth)
        case .object(_, _, .some(.dict(let d))): max(d.depth + 1, entry.depth)
        default: entry.depth
        }
    }

    /// 1 + the deepest of `children` (0 without children), refused beyond ``maxDepth``.
    private func depth(over children: [Entry]) throws -> Int {
        guard let deepest = children.lazy.map(depth).max() else { return 0 }
        guard deepest < Self.maxDepth else {
            throw fail("pickle nests containers more than \(Self.maxDepth) deep; refused")
        }
        return deepest + 1
    }

    /// Marks `children` as held by another value: the reader refuses to change them from now on, so a
    /// container's depth never grows behind its parents' backs.
    private func attach(_ children: [Entry]) {
        for child in children {
            switch child.value {
            case .list(let l): l.attached = true
            case .dict(let d): d.attached = true
            case .object(_, _, .some(.dict(let d))): d.attached = true
            default: break
            }
        }
    }

    /// Pushes `value` built from `children` (none for literals and empty containers).
    private mutating func push(_ value: PickleValue, from children: [Entry] = []) throws {
        let d = try depth(over: children)
        attach(children)
        switch value {
        case .list(let l): l.depth = max(l.depth, d)
        case .dict(let dict): dict.depth = max(dict.depth, d)
        default: break
        }
        stack.append(Entry(value: value, depth: d))
    }

    // MARK: The machine

    /// Decodes the whole pickle and returns its single result.
    /// - Throws: ``WeightsError/malformed(source:reason:)`` for any unknown opcode, disallowed global,
    ///   truncation or inconsistency.
    mutating func read() throws -> PickleValue {
        while true {
            let opcode = try byte()
            switch opcode {
            case 0x80: _ = try byte()  // PROTO
            case 0x95: _ = try take(8)  // FRAME: frames are only a buffering hint
            case 0x2E:  // STOP
                guard stack.count == 1, marks.isEmpty else { throw fail("pickle ends with \(stack.count) values on the stack") }
                return stack[0].value
            case 0x28: marks.append(stack.count)  // MARK
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32:  // DUP
                guard let top = stack.last else { throw fail("pickle stack is empty") }
                stack.append(top)
            case 0x4E: try push(.none)
            case 0x88: try push(.bool(true))
            case 0x89: try push(.bool(false))
            case 0x4A: try push(.int(Int(Int32(truncatingIfNeeded: UInt32(try littleEndian(4))))))  // BININT
            case 0x4B: try push(.int(Int(try byte())))  // BININT1
            case 0x4D: try push(.int(Int(try littleEndian(2))))  // BININT2
            case 0x8A: try push(try long(Int(try byte())))  // LONG1
            case 0x8B: try push(try long(try length(4)))  // LONG4
            case 0x49:  // INT (text); "00"/"01" are protocol 0 booleans
                let text = try line()
                if text == "00" { try push(.bool(false)) } else if text == "01" { try push(.bool(true)) } else {
                    guard let v = Int(text) else { throw fail("bad INT literal '\(text)'") }
                    try push(.int(v))
                }
            case 0x4C:  // LONG (text)
                let text = try line()
                guard let v = Int(text.hasSuffix("L") ? String(text.dropLast()) : text) else {
                    throw fail("LONG literal '\(text)' out of range")
                }
                try push(.int(v))
            case 0x47:  // BINFLOAT: big-endian double
                var raw: UInt64 = 0
                for b in try take(8) { raw = raw << 8 | UInt64(b) }
                try push(.float(Double(bitPattern: raw)))
            case 0x46:  // FLOAT (text)
                let text = try line()
                guard let v = Double(text) else { throw fail("bad FLOAT literal '\(text)'") }
                try push(.float(v))
            case 0x58: try push(.string(try utf8(try length(4))))  // BINUNICODE
            case 0x8C: try push(.string(try utf8(try length(1))))  // SHORT_BINUNICODE
            case 0x8D: try push(.string(try utf8(try length(8))))  // BINUNICODE8
            case 0x56: try push(.string(try line()))  // UNICODE (raw-unicode-escape; ASCII in practice)
            case 0x43: try push(.bytes(Array(try take(try length(1)))))  // SHORT_BINBYTES
            case 0x42: try push(.bytes(Array(try take(try length(4)))))  // BINBYTES
            case 0x8E, 0x96: try push(.bytes(Array(try take(try length(8)))))  // BINBYTES8, BYTEARRAY8
            case 0x55: try push(.string(String(decoding: try take(try length(1)), as: UTF8.self)))  // SHORT_BINSTRING
            case 0x54: try push(.string(String(decoding: try take(try length(4)), as: UTF8.self)))  // BINSTRING
            case 0x53:  // STRING (quoted text)
                var text = try line()
                if text.count >= 2, let q = text.first, q == "'" || q == "\"", text.last == q {
                    text = String(text.dropFirst().dropLast())
                }
                try push(.string(text))
            case 0x29: try push(.tuple([]))  // EMPTY_TUPLE
            case 0x5D: try push(.list(PickleList()))  // EMPTY_LIST
            case 0x7D: try push(.dict(PickleDict()))  // EMPTY_DICT
            case 0x8F: try push(.list(PickleList()))  // EMPTY_SET (kept as a list)
            case 0x74:  // TUPLE
                let items = try popMark()
                try push(.tuple(items.map(\.value)), from: items)
            case 0x85:  // TUPLE1
                let a = try popEntry()
                try push(.tuple([a.value]), from: [a])
            case 0x86:  // TUPLE2
                let b = try popEntry(), a = try popEntry()
                try push(.tuple([a.value, b.value]), from: [a, b])
            case 0x87:  // TUPLE3
                let c = try popEntry(), b = try popEntry(), a = try popEntry()
                try push(.tuple([a.value, b.value, c.value]), from: [a, b, c])
            case 0x6C, 0x91:  // LIST, FROZENSET
                let items = try popMark()
                try push(.list(PickleList(items.map(\.value))), from: items)
            case 0x64:  // DICT
                let items = try popMark()
                let d = PickleDict()
                try fill(d, items.map(\.value))
                try push(.dict(d), from: items)
            case 0x61:  // APPEND
                let item = try popEntry()
                try appendItems([item])
            case 0x65, 0x90: try appendItems(try popMark())  // APPENDS, ADDITEMS
            case 0x73:  // SETITEM
                let value = try popEntry(), key = try popEntry()
                try setItems([key, value])
            case 0x75: try setItems(try popMark())  // SETITEMS
            case 0x71: try put(Int(try byte()))  // BINPUT
            case 0x72: try put(Int(try littleEndian(4)))  // LONG_BINPUT
            case 0x94: try put(memo.count)  // MEMOIZE
            case 0x70:  // PUT
                guard let i = Int(try line()) else { throw fail("bad PUT index") }
                try put(i)
            case 0x68: try get(Int(try byte()))  // BINGET
            case 0x6A: try get(Int(try littleEndian(4)))  // LONG_BINGET
            case 0x67:  // GET
                guard let i = Int(try line()) else { throw fail("bad GET index") }
                try get(i)
            case 0x63:  // GLOBAL
                let module = try line(), name = try line()
                try push(try global(module, name))
            case 0x93:  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw fail("STACK_GLOBAL needs two strings")
                }
                try push(try global(module, name))
            case 0x52:  // REDUCE
                let args = try popEntry(), callable = try pop()
                guard case .tuple(let arguments) = args.value else { throw fail("REDUCE arguments are not a tuple") }
                try push(try call(callable, arguments), from: [args])
            case 0x81:  // NEWOBJ
                let args = try popEntry(), cls = try pop()
                guard case .tuple(let arguments) = args.value else { throw fail("NEWOBJ arguments are not a tuple") }
                try push(try call(cls, arguments), from: [args])
            case 0x92:  // NEWOBJ_EX
                _ = try pop()
                let args = try popEntry(), cls = try pop()
                guard case .tuple(let arguments) = args.value else { throw fail("NEWOBJ_EX arguments are not a tuple") }
                try push(try call(cls, arguments), from: [args])
            case 0x62:  // BUILD
                let state = try popEntry()
                let target = try popEntry()
                switch target.value {
                case .object, .array:
                    try push(build(target.value, state.value), from: [target, state])
                default:
                    stack.append(target)  // state that is not weights is dropped; the target is unchanged
                }
            case 0x51:  // BINPERSID
                try push(try persistentLoad(try pop()))
            case 0x50:  // PERSID (text ids are never written by torch.save)
                throw fail("text persistent id '\(try line())' is not a PyTorch storage")
            case 0x69, 0x6F:
                throw fail("pickle uses INST/OBJ to build an object; refused")
            case 0x82, 0x83, 0x84:
                throw fail("pickle uses the copyreg extension registry; refused")
            default:
                throw fail("unsupported pickle opcode 0x\(String(opcode, radix: 16))")
            }
        }
    }

    private mutating func long(_ count: Int) throws -> PickleValue {
        let raw = Array(try take(count))
        if raw.isEmpty { return .int(0) }
        if raw.count <= 8 {
            var value: UInt64 = 0
            for (i, b) in raw.enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
            if raw.count < 8, raw.last! & 0x80 != 0 { value |= ~0 << (8 * UInt64(raw.count)) }  // sign-extend
            return .int(Int(Int64(bitPattern: value)))
        }
        return .bigInt(raw)
    }

    private func fill(_ d: PickleDict, _ items: [PickleValue]) throws {
        guard items.count % 2 == 0 else { throw fail("odd number of dictionary items") }
        var i = 0
        while i < items.count {
            d.set(items[i], items[i + 1])
            i += 2
        }
    }

    private mutating func appendItems(_ items: [Entry]) throws {
        guard case .list(let l) = try top() else { throw fail("APPEND to a \(try top().summary), not a list") }
        guard !l.attached else { throw changedAfterAttaching("list") }
        guard !items.contains(where: { Self.container(of: $0) == ObjectIdentifier(l) }) else { throw placedInItself("list") }
        let d = try depth(over: items)
        attach(items)
        l.items.append(contentsOf: items.map(\.value))
        l.depth = max(l.depth, d)
    }

    private mutating func setItems(_ items: [Entry]) throws {
        let target: PickleDict
        switch try top() {
        case .dict(let d): target = d
        case .object(_, _, .some(.dict(let d))): target = d
        default: throw fail("SETITEM on a \(try top().summary), not a dictionary")
        }
        guard !target.attached else { throw changedAfterAttaching("dictionary") }
        guard !items.contains(where: { Self.container(of: $0) == ObjectIdentifier(target) }) else {
            throw placedInItself("dictionary")
        }
        let d = try depth(over: items)
        try fill(target, items.map(\.value))
        attach(items)
        target.depth = max(target.depth, d)
    }

    /// The list or dictionary `entry` is (or an object's state dictionary), by identity.
    private static func container(of entry: Entry) -> ObjectIdentifier? {
        switch entry.value {
        case .list(let l): ObjectIdentifier(l)
        case .dict(let d): ObjectIdentifier(d)
        case .object(_, _, .some(.dict(let d))): ObjectIdentifier(d)
        default: nil
        }
    }

    /// A container given to itself as an item: the only cycle left possible once placed containers are frozen
    /// (it would never be freed, and no checkpoint holds one).
    private func placedInItself(_ kind: String) -> WeightsError {
        fail("pickle places a \(kind) inside itself (a reference cycle); refused")
    }

    /// `torch.save` fills every container before placing it in its parent (only self-containing values
    /// would do otherwise); refusing later changes keeps each recorded depth exact.
    private func changedAfterAttaching(_ kind: String) -> WeightsError {
        fail("pickle adds to a \(kind) already placed inside another value; refused")
    }

    private mutating func put(_ index: Int) throws {
        guard index >= 0, index < 1 << 31 else { throw fail("memo index \(index) out of range") }
        guard let top = stack.last else { throw fail("pickle stack is empty") }
        memo[index] = top
    }

    private mutating func get(_ index: Int) throws {
        guard let entry = memo[index] else { throw fail("memo index \(index) was never stored") }
        stack.append(entry)
    }

    private func global(_ rawModule: String, _ name: String) throws -> PickleValue {
        // Protocol ≤ 2 pickles name Python 2 modules for compatibility.
        let module = rawModule == "__builtin__" ? "builtins" : rawModule == "copy_reg" ? "copyreg" : rawModule
        let qualified = "\(module).\(name)"
        guard Self.isAllowed(qualified) else {
            throw fail("refusing global '\(qualified)': a checkpoint may only name tensor, storage and plain-data types; nothing is executed")
        }
        return .global(module: module, name: name)
    }

    /// Interprets REDUCE / NEWOBJ of an allow-listed callable as data. Nothing is called.
    private func call(_ callable: PickleValue, _ args: [PickleValue]) throws -> PickleValue {
        guard case .global(let module, let name) = callable else {
            throw fail("REDUCE on a \(callable.summary), not an allowed global")
        }
        let qualified = "\(module).\(name)"
        switch qualified {
        case "collections.OrderedDict", "collections.defaultdict", "builtins.dict":
            let d = PickleDict()
            if qualified != "collections.defaultdict", let first = args.first {
                switch first {
                case .dict(let other): for (k, v) in other.entries { d.set(k, v) }
                case .list(let l):
                    for pair in l.items {
                        guard case .tuple(let kv) = pair, kv.count == 2 else { throw fail("OrderedDict item is not a pair") }
                        d.set(kv[0], kv[1])
                    }
                default: break
                }
            }
            return .dict(d)
        case "torch._utils._rebuild_tensor_v2":
            return try rebuildTensor(args)
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let data = args.first, case .tensor = data else { throw fail("_rebuild_parameter without a tensor") }
            return data
        case "_codecs.encode":
            guard case .string(let s)? = args.first else { throw fail("_codecs.encode without a string") }
            let encoding: String
            if args.count > 1, case .string(let e) = args[1] { encoding = e.lowercased() } else { encoding = "utf-8" }
            if encoding == "latin1" || encoding == "latin-1" || encoding == "iso-8859-1" {
                return .bytes(s.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
            }
            return .bytes(Array(s.utf8))
        case "builtins.set", "builtins.frozenset", "builtins.list":
            switch args.first {
            case .list(let l)?: return .list(PickleList(l.items))
            case .tuple(let t)?: return .list(PickleList(t))
            default: return .list(PickleList())
            }
        case "builtins.tuple", "torch.Size":
            switch args.first {
            case .list(let l)?: return .tuple(l.items)
            case .tuple(let t)?: return .tuple(t)
            default: return .tuple([])
            }
        case "builtins.bytearray":
            if case .bytes(let b)? = args.first { return .bytes(b) }
            return .bytes([])
        case "builtins.bytes":
            // Protocol ≤ 2 writes b'' as bytes() (an empty numpy array's data, for one).
            guard args.isEmpty else { throw fail("builtins.bytes with arguments; only bytes() is read") }
            return .bytes([])
        case "torch.device":
            guard case .string(let s)? = args.first else { return .string("cpu") }
            return .string(s)
        case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
            // _reconstruct(numpy.ndarray, (0,), b'b'): an empty array that the following BUILD fills.
            guard case .global(_, "ndarray")? = args.first else { throw fail("\(qualified) of something other than numpy.ndarray") }
            return .array(NumPyArray(kind: "u1", bigEndian: false, shape: [0], fortranOrder: false, bytes: [], objects: []))
        case "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer":
            guard let array = NumPyArray.fromBuffer(args) else { throw fail("\(qualified) with arguments that are not (bytes, dtype, shape, order)") }
            return .array(array)
        case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar":
            guard let value = NumPyArray.scalar(args) else { throw fail("\(qualified) with arguments that are not (numeric dtype, bytes)") }
            return value
        case "copyreg._reconstructor":
            // copyreg._reconstructor(cls, base, state): only for allow-listed data classes.
            guard case .global(let m, let n)? = args.first else { throw fail("copyreg._reconstructor without a class") }
            let cls = "\(m).\(n)"
            if Self.dictionaryClasses.contains(cls) { return .dict(PickleDict()) }
            guard Self.opaqueClasses.contains(cls) else {
                throw fail("refusing to reconstruct '\(cls)': not an allowed data class")
            }
            return .object(className: cls, arguments: [], state: nil)
        default:
            if Self.dictionaryClasses.contains(qualified) { return .dict(PickleDict()) }
            if Self.opaqueClasses.contains(qualified) {
                return .object(className: qualified, arguments: args, state: nil)
            }
            throw fail("refusing to call '\(qualified)': only tensor rebuilders and plain containers may be constructed")
        }
    }

    /// Applies BUILD state: kept on opaque objects, merged into dictionaries' attributes (ignored), ignored on tensors.
    private func build(_ target: PickleValue, _ state: PickleValue) throws -> PickleValue {
        switch target {
        case .array:
            guard let array = NumPyArray.fromState(state) else {
                throw fail("numpy array state is not (version, shape, dtype, is_fortran, data) with data of the stated size")
            }
            return .array(array)
        case .object(let cls, let args, _):
            return .object(className: cls, arguments: args, state: state)
        default:
            // OrderedDict `_metadata`, tensor hooks state, AttributeDict `__dict__`: not weights.
            return target
        }
    }

    /// `persistent_load` for torch storages: `('storage', torch.FloatStorage, key, location, numel)`.
    private func persistentLoad(_ pid: PickleValue) throws -> PickleValue {
        guard case .tuple(let parts) = pid, parts.count >= 5, case .string("storage") = parts[0] else {
            throw fail("persistent id \(pid.summary) is not a PyTorch storage")
        }
        guard case .global(let m, let n) = parts[1], let dtype = Self.storageType("\(m).\(n)") else {
            throw fail("storage type \(parts[1].summary) is not a known torch storage class")
        }
        guard let key = parts[2].stringKey else { throw fail("storage key \(parts[2].summary) is not a string") }
        guard case .int(let numel) = parts[4], numel >= 0 else {
            throw fail("storage '\(key)' has an invalid element count \(parts[4].summary)")
        }
        return .storage(TorchStorageReference(dtype: dtype, key: key, elementCount: numel))
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`.
    private func rebuildTensor(_ args: [PickleValue]) throws -> PickleValue {
        guard args.count >= 4, case .storage(let storage) = args[0] else {
            throw fail("_rebuild_tensor_v2 without a storage")
        }
        guard case .int(let offset) = args[1], offset >= 0 else { throw fail("tensor has a bad storage offset") }
        func ints(_ v: PickleValue, _ what: String) throws -> [Int] {
            guard case .tuple(let items) = v else { throw fail("tensor \(what) is not a tuple") }
            return try items.map {
                guard case .int(let i) = $0, i >= 0 else { throw fail("tensor \(what) holds \($0.summary)") }
                return i
            }
        }
        let shape = try ints(args[2], "size")
        let strides = try ints(args[3], "stride")
        guard shape.count == strides.count else {
            throw fail("tensor size \(shape) and stride \(strides) differ in rank")
        }
        return .tensor(TorchTensorReference(storage: storage, storageOffset: offset, shape: shape, strides: strides))
    }
}
