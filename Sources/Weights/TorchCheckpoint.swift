import Foundation
import Zlib
import Numerics

/// A PyTorch checkpoint (`torch.save` zip format: `<name>/data.pkl`, `<name>/data/<key>`, `<name>/version`)
/// read without Python and without running any of its pickle.
///
/// The pickle is decoded by a restricted reader (see ``PickleValue``); tensors are views over storages in
/// the memory-mapped file. One dictionary of tensors — the *state dict* — is exposed as a
/// ``TensorArchive``: Lightning's `state_dict` entry when present, else the top-level dictionary
/// (a plain `torch.save(model.state_dict())` file such as `*_ema_teacher.pt`). ``selecting(_:)`` picks
/// another one (e.g. `["ema", "teacher_state"]`). Nested dictionaries are flattened with dots.
///
/// Reading: contiguous little-endian `float32` tensors are returned without copying (borrowing the map);
/// `float16`/`bfloat16`/other types and non-contiguous layouts are converted into a fresh tensor.
public final class TorchCheckpoint: TensorArchive, @unchecked Sendable {
    public let sourceDescription: String
    /// The whole decoded pickle (hyper-parameters, epoch, …); tensors in it are references only.
    public let root: PickleValue
    /// The path of keys from ``root`` to the exposed state dict (`[]` for a plain state dict).
    public let stateDictPath: [String]
    /// The archive's top folder name (`archive`, or the file stem for older PyTorch).
    public let archiveName: String
    public let tensorNames: [String]

    private let mapping: TorchFileMapping
    private let entries: [String: ZipEntry]
    private let references: [String: TorchTensorReference]

    /// Opens `url` and exposes the state dict at `stateDictPath` (automatic when `nil`).
    /// - Throws: ``WeightsError`` naming the file and, where it applies, the record or tensor: not a zip,
    ///   unsafe or missing records, disallowed pickle globals, storages shorter than their tensors.
    public convenience init(contentsOf url: URL, stateDictPath: [String]? = nil) throws {
        let mapping = try TorchFileMapping(url: url)
        let directory = try ZipCentralDirectory(file: mapping)
        let source = url.path
        // The pickle lives at `<top>/data.pkl`; the top folder's name varies.
        let pickles = directory.entries.filter {
            $0.name.hasSuffix("/data.pkl") && $0.name.split(separator: "/").count == 2
        }
        guard pickles.count == 1, let pickleEntry = pickles.first else {
            throw WeightsError.malformed(
                source: source,
                reason: pickles.isEmpty
                    ? "no '<name>/data.pkl' record: not a PyTorch zip checkpoint (legacy pre-1.6 files are not supported)"
                    : "several data.pkl records: \(pickles.map(\.name))")
        }
        let top = String(pickleEntry.name.dropLast("/data.pkl".count))
        var byName: [String: ZipEntry] = [:]
        for entry in directory.entries { byName[entry.name] = entry }
        let pickleBytes = Array(mapping.bytes(at: pickleEntry.dataOffset, count: pickleEntry.size)!)
        guard CRC32.checksum(pickleBytes) == pickleEntry.crc32 else {
            throw WeightsError.malformed(source: source, reason: "record '\(pickleEntry.name)' fails its CRC-32 check")
        }
        var reader = PickleReader(bytes: pickleBytes, source: "\(source) (\(pickleEntry.name))")
        let root = try reader.read()
        let path = try stateDictPath ?? Self.defaultStateDictPath(root, source: source)
        try self.init(mapping: mapping, entries: byName, archiveName: top, root: root, stateDictPath: path)
    }

    private init(
        mapping: TorchFileMapping, entries: [String: ZipEntry], archiveName: String, root: PickleValue,
        stateDictPath: [String]
    ) throws {
        let source = mapping.path
        self.mapping = mapping
        self.entries = entries
        self.archiveName = archiveName
        self.root = root
        self.stateDictPath = stateDictPath
        self.sourceDescription = source
        guard let selected = root.value(at: stateDictPath), case .dict(let dict) = selected else {
            throw WeightsError.malformed(
                source: source, reason: "no dictionary at '\(stateDictPath.joined(separator: "."))' in the checkpoint")
        }
        var refs: [String: TorchTensorReference] = [:]
        // Each dictionary is walked once, however many keys lead to it: a pickle reusing memoised
        // dictionaries would otherwise name (fan-out)^depth tensors.
        var visited = Set<ObjectIdentifier>()
        func collect(_ d: PickleDict, prefix: String, depth: Int) {
            guard depth < 16, visited.insert(ObjectIdentifier(d)).inserted else { return }
            for (key, value) in d.entries {
                guard let k = key.stringKey else { continue }
                switch value {
                case .tensor(let t): refs[prefix + k] = t
                case .dict(let inner): collect(inner, prefix: prefix + k + ".", depth: depth + 1)
                default: continue
                }
            }
        }
        collect(dict, prefix: "", depth: 0)
        for (name, ref) in refs {
            try Self.validate(ref, name: name, entries: entries, top: archiveName, source: source)
        }
        references = refs
        tensorNames = refs.keys.sorted()
    }

    /// The same file exposing the dictionary at `path` (e.g. `["ema", "teacher_state"]`) instead.
    /// - Throws: ``WeightsError/malformed(source:reason:)`` when there is no dictionary there.
    public func selecting(_ path: [String]) throws -> TorchCheckpoint {
        try TorchCheckpoint(
            mapping: mapping, entries: entries, archiveName: archiveName, root: root, stateDictPath: path)
    }

    /// Lightning's `state_dict` when the root has one; otherwise the root itself if it holds tensors.
    static func defaultStateDictPath(_ root: PickleValue, source: String) throws -> [String] {
        guard case .dict(let d) = root else {
            throw WeightsError.malformed(source: source, reason: "checkpoint root is a \(root.summary), not a dictionary")
        }
        if case .dict? = d["state_dict"] { return ["state_dict"] }
        if d.entries.contains(where: { if case .tensor = $0.value { return true } else { return false } }) {
            return []
        }
        if d.entries.isEmpty { return [] }
        let keys = d.entries.compactMap { $0.key.stringKey }.prefix(10).joined(separator: ", ")
        throw WeightsError.malformed(
            source: source, reason: "no state dict found: no 'state_dict' key and no tensors at the top level (keys: \(keys))")
    }

    private static func validate(
        _ ref: TorchTensorReference, name: String, entries: [String: ZipEntry], top: String, source: String
    ) throws {
        func fail(_ reason: String) -> WeightsError { .malformed(source: source, reason: "tensor '\(name)': \(reason)") }
        guard ref.storage.dtype.storedDType != nil else {
            throw WeightsError.unsupportedDType(name: name, dtype: ref.storage.dtype.rawValue, source: source)
        }
        let recordName = "\(top)/data/\(ref.storage.key)"
        guard let entry = entries[recordName] else { throw fail("storage record '\(recordName)' is missing") }
        let (bytes, overflow) = ref.storage.elementCount.multipliedReportingOverflow(by: ref.storage.dtype.byteSize)
        guard !overflow, bytes <= entry.size else {
            throw fail("storage '\(recordName)' claims \(ref.storage.elementCount) \(ref.storage.dtype.rawValue) elements but the record holds only \(entry.size) bytes")
        }
        // Largest element index the view touches.
        var elements = 1
        var last = ref.storageOffset
        for (size, stride) in zip(ref.shape, ref.strides) {
            let (e, o1) = elements.multipliedReportingOverflow(by: size)
            guard !o1, e <= Int(Int32.max) * 64 else { throw fail("shape \(ref.shape) is too large") }
            elements = e
            if size > 0 {
                let (span, o2) = (size - 1).multipliedReportingOverflow(by: stride)
                let (next, o3) = last.addingReportingOverflow(span)
                guard !o2, !o3 else { throw fail("strides \(ref.strides) overflow") }
                last = next
            }
        }
        if elements > 0, last >= ref.storage.elementCount {
            throw fail("view (offset \(ref.storageOffset), shape \(ref.shape), strides \(ref.strides)) reaches element \(last) but its storage '\(recordName)' has only \(ref.storage.elementCount) elements")
        }
    }

    public func info(_ name: String) -> StoredTensorInfo? {
        guard let ref = references[name], let dtype = ref.storage.dtype.storedDType else { return nil }
        return StoredTensorInfo(name: name, dtype: dtype, shape: ref.shape)
    }

    /// The tensor `name` as `Float32`: borrowed from the memory map when it is contiguous, aligned `float32`.
    public func tensor(_ name: String) throws -> Tensor {
        guard let ref = references[name] else {
            throw WeightsError.missingTensor(name: name, source: sourceDescription)
        }
        let entry = entries["\(archiveName)/data/\(ref.storage.key)"]!  // checked in init
        let count = ref.shape.reduce(1, *)
        if count == 0 { return Tensor(zeros: ref.shape) }
        let base = mapping.base + entry.dataOffset
        let dtype = ref.storage.dtype
        let contiguous = Self.isContiguous(shape: ref.shape, strides: ref.strides)
        let start = base + ref.storageOffset * dtype.byteSize
        if contiguous, dtype == .float32, Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
            // Safe because the mapping is read-only and outlives the storage, which holds it as owner.
            let storage = TensorStorage(
                borrowing: start.assumingMemoryBound(to: Float.self), count: count, owner: mapping)
            return Tensor(shape: ref.shape, storage: storage)
        }
        let storage = TensorStorage(zeroedCount: count)
        let out = storage.pointer
        if contiguous, dtype == .float16 || dtype == .bfloat16 {
            HalfFloatConversion.widen(littleEndian: start, count: count, bfloat: dtype == .bfloat16, into: out)
        } else if contiguous {
            for i in 0..<count { out[i] = TorchElementConversion.element(start, i, dtype) }
        } else {
            // Row-major walk over the view's multi-index.
            var index = [Int](repeating: 0, count: ref.shape.count)
            var offset = 0
            for i in 0..<count {
                out[i] = TorchElementConversion.element(start, offset, dtype)
                var d = ref.shape.count - 1
                while d >= 0 {
                    index[d] += 1
                    offset += ref.strides[d]
                    if index[d] < ref.shape[d] { break }
                    offset -= ref.strides[d] * index[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        return Tensor(shape: ref.shape, storage: storage)
    }

    /// Row-major contiguity, ignoring the strides of size-1 dimensions.
    static func isContiguous(shape: [Int], strides: [Int]) -> Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// The raw stored reference of `name` (storage key, dtype, offset, strides), for inspection.
    public func reference(_ name: String) -> TorchTensorReference? { references[name] }
}
