import Foundation
import Testing

@testable import Weights

/// Pickle bytes built opcode by opcode, for structures `torch.save` never writes.
struct PickleBytes {
    var bytes: [UInt8] = [0x80, 0x02]  // PROTO 2

    mutating func emptyList() { bytes.append(0x5D) }
    mutating func emptyDict() { bytes.append(0x7D) }
    mutating func none() { bytes.append(0x4E) }
    mutating func string(_ s: String) { bytes += [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }
    mutating func put(_ i: Int) { bytes += [0x72] + withUnsafeBytes(of: UInt32(i).littleEndian, Array.init) }
    mutating func get(_ i: Int) { bytes += [0x6A] + withUnsafeBytes(of: UInt32(i).littleEndian, Array.init) }
    mutating func op(_ code: UInt8, times: Int = 1) { bytes += [UInt8](repeating: code, count: times) }
    mutating func stop() { bytes.append(0x2E) }
}

/// Pickles nesting containers far deeper than any checkpoint, or reusing memoised containers: each is refused
/// (or walked once) in bounded time and memory; none overflows the stack.
@Suite struct PickleStructureTests {
    private func read(_ pickle: PickleBytes) throws -> PickleValue {
        var reader = PickleReader(bytes: pickle.bytes, source: "test.pkl")
        return try reader.read()
    }

    private func expectTooDeep(_ pickle: PickleBytes, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) { try read(pickle) } throws: {
            "\($0)".contains("test.pkl") && "\($0)".contains("more than \(PickleReader.maxDepth) deep")
        }
    }

    /// A list or dictionary placed inside itself (DUP then APPEND / SETITEM, or through the memo): the reference
    /// cycle would never be freed. Found by `scripts/fuzz pickle` (LeakSanitizer: 97 bytes in 3 allocations).
    @Test func containersPlacedInsideThemselvesAreRefused() {
        var found = PickleBytes()
        found.bytes = [0x80, 0x5D, 0x5D, 0x5D, 0x32, 0x61, 0xCD, 0x5D, 0x5D, 0x5D, 0x5D, 0x61, 0xCD, 0x5D, 0x5D, 0x5D,
                       0x5D, 0x61, 0xCD, 0x5D, 0x5D, 0x5D, 0x5D, 0x61, 0x61]
        #expect { try read(found) } throws: { "\($0)".contains("test.pkl") && "\($0)".contains("places a list inside itself") }
        var list = PickleBytes()
        list.emptyList()
        list.put(0)
        list.get(0)
        list.op(0x61)  // APPEND: l.append(l)
        list.stop()
        #expect { try read(list) } throws: { "\($0)".contains("places a list inside itself (a reference cycle)") }
        var dict = PickleBytes()
        dict.emptyDict()
        dict.put(0)
        dict.string("self")
        dict.get(0)
        dict.op(0x73)  // SETITEM: d["self"] = d
        dict.stop()
        #expect { try read(dict) } throws: { "\($0)".contains("places a dictionary inside itself") }
    }

    /// `[[[…]]]` as Python writes it: every list pushed, then folded by APPEND.
    static func nestedLists(_ depth: Int) -> PickleBytes {
        var p = PickleBytes()
        p.op(0x5D, times: depth)
        p.op(0x61, times: depth - 1)
        p.stop()
        return p
    }

    /// `{"k": {"k": {…}}}`: dictionaries and keys pushed, then folded by SETITEM.
    static func nestedDicts(_ depth: Int) -> PickleBytes {
        var p = PickleBytes()
        p.emptyDict()
        for _ in 1..<depth {
            p.string("k")
            p.emptyDict()
        }
        p.op(0x73, times: depth - 1)
        p.stop()
        return p
    }

    @Test(arguments: [30_000, 100_000])
    func deeplyNestedContainersAreRefused(depth: Int) {
        expectTooDeep(Self.nestedLists(depth))
        expectTooDeep(Self.nestedDicts(depth))
        var tuples = PickleBytes()  // ((((None,),),),): one TUPLE1 per level
        tuples.none()
        tuples.op(0x85, times: depth)
        tuples.stop()
        expectTooDeep(tuples)
    }

    @Test func nestingUpToTheLimitIsRead() throws {
        guard case .list(let outer) = try read(Self.nestedLists(PickleReader.maxDepth)) else {
            Issue.record("not a list"); return
        }
        #expect(outer.items.count == 1)
        #expect(outer.depth == PickleReader.maxDepth)
        expectTooDeep(Self.nestedLists(PickleReader.maxDepth + 1))
    }

    /// Nesting grown through the memo with a stack of constant height: a list placed in another is changed.
    @Test func growingAContainerAfterPlacingItIsRefused() {
        var p = PickleBytes()
        p.emptyList()
        p.put(0)
        for i in 1...50 {
            p.emptyList()
            p.put(i)
            p.op(0x61)  // APPEND the new list into the previous one
            p.op(0x30)  // POP the previous one
            p.get(i)  // continue from the new one
        }
        p.stop()
        #expect { try read(p) } throws: { "\($0)".contains("already placed inside another value") }
    }

    /// `d = {}; d["a"] = d["b"] = d["c"] = d` in one SETITEMS, under `state_dict`.
    static func selfHoldingDict() -> PickleBytes {
        var p = PickleBytes()
        p.emptyDict()
        p.string("state_dict")
        p.emptyDict()
        p.put(1)
        p.op(0x28)  // MARK
        for key in ["a", "b", "c"] {
            p.string(key)
            p.get(1)
        }
        p.op(0x75)  // SETITEMS
        p.op(0x73)  // SETITEM state_dict
        p.stop()
        return p
    }

    /// Eight levels, each a dictionary holding the level below under ten keys: 10⁸ paths, 9 dictionaries.
    static func sharedFanOut(levels: Int = 8, fanOut: Int = 10) -> PickleBytes {
        var p = PickleBytes()
        p.emptyDict()
        p.string("state_dict")
        p.emptyDict()
        p.put(0)
        p.op(0x30)
        for level in 1...levels {
            p.emptyDict()
            p.op(0x28)
            for k in 0..<fanOut {
                p.string("k\(k)")
                p.get(level - 1)
            }
            p.op(0x75)
            p.put(level)
            if level < levels { p.op(0x30) }
        }
        p.op(0x73)
        p.stop()
        return p
    }

    @Test func memoisedContainersAreWalkedOnce() throws {
        // A dictionary holding itself is a reference cycle: refused at once (it would never be freed).
        let start = Date()
        #expect { try read(Self.selfHoldingDict()) } throws: { "\($0)".contains("places a dictionary inside itself") }
        #expect(Date().timeIntervalSince(start) < 5)
        for pickle in [Self.sharedFanOut()] {
            let url = TorchFixtures.temporaryURL("memo.pt")
            defer { try? FileManager.default.removeItem(at: url) }
            let writer = try ZipStreamWriter(url: url)
            try pickle.bytes.withUnsafeBytes { try writer.add(name: "archive/data.pkl", data: $0) }
            try writer.finish()
            let start = Date()
            let checkpoint = try TorchCheckpoint(contentsOf: url)
            #expect(checkpoint.tensorNames.isEmpty)
            #expect(Date().timeIntervalSince(start) < 5)
        }
    }
}
