import Foundation
import Numerics
import Testing

@testable import Weights

/// Checkpoints written to attack the reader: pickles that would run a command if a Python unpickler read them,
/// storages that are absent or shorter than their tensors, declared lengths far past the file, zip members that
/// would escape a folder or appear twice. Every one is refused with an error naming the file, in bounded time,
/// and nothing runs (the marker file the commands would create never appears).
@Suite struct HostileCheckpointTests {
    static let marker = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-checkpoint-ran").path
    static let command = "touch \(marker)"
    static let callables = [("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"), ("posix", "system")]

    enum Route: String, CaseIterable, Sendable {
        case globalReduce, stackGlobalReduce, inst, newObj, buildState, setState
    }

    /// A pickle reaching `module.name` through `route`, with ``command`` as its argument.
    static func pickle(_ module: String, _ name: String, _ route: Route) -> PickleBytes {
        var p = PickleBytes()
        func global(_ m: String, _ n: String) { p.bytes += [0x63] + Array("\(m)\n\(n)\n".utf8) }
        switch route {
        case .globalReduce:
            global(module, name)
            p.string(command)
            p.op(0x85)  // TUPLE1
            p.op(0x52)  // REDUCE
        case .stackGlobalReduce:
            p.string(module)
            p.string(name)
            p.op(0x93)  // STACK_GLOBAL
            p.string(command)
            p.op(0x85)
            p.op(0x52)
        case .inst:
            p.op(0x28)  // MARK
            p.string(command)
            p.bytes += [0x69] + Array("\(module)\n\(name)\n".utf8)  // INST
        case .newObj:
            global(module, name)
            p.string(command)
            p.op(0x85)
            p.op(0x81)  // NEWOBJ
        case .buildState:
            // An allowed data class whose BUILD state is the callable applied to the command.
            global("argparse", "Namespace")
            p.op(0x29)
            p.op(0x81)
            global(module, name)
            p.string(command)
            p.op(0x85)
            p.op(0x52)
            p.op(0x62)  // BUILD
        case .setState:
            // State naming the callable as `__setstate__`, which Python would call with the state.
            global("argparse", "Namespace")
            p.op(0x29)
            p.op(0x81)
            p.emptyDict()
            p.string("__setstate__")
            global(module, name)
            p.op(0x73)
            p.op(0x62)
        }
        p.stop()
        return p
    }

    static func zip(_ members: [(String, [UInt8])]) throws -> URL {
        let url = TorchFixtures.temporaryURL("hostile-\(UUID().uuidString).pt")
        let writer = try ZipStreamWriter(url: url)
        for (name, bytes) in members { try bytes.withUnsafeBytes { try writer.add(name: name, data: $0) } }
        try writer.finish()
        return url
    }

    private func expectRefused(_ url: URL, mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let start = Date()
        do {
            _ = try TorchCheckpoint(contentsOf: url)
            Issue.record("\(url.lastPathComponent) was accepted", sourceLocation: sourceLocation)
        } catch {
            let text = "\(error)"
            for fragment in fragments + [url.path] {
                #expect(text.contains(fragment), "'\(text)' lacks '\(fragment)'", sourceLocation: sourceLocation)
            }
        }
        #expect(Date().timeIntervalSince(start) < 5, sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: Self.marker), "a command ran", sourceLocation: sourceLocation)
    }

    @Test(arguments: Route.allCases)
    func picklesNamingCommandRunnersAreRefused(route: Route) throws {
        for (module, name) in Self.callables {
            let url = try Self.zip([("archive/data.pkl", Self.pickle(module, name, route).bytes)])
            defer { try? FileManager.default.removeItem(at: url) }
            // INST is refused as an opcode before the name is looked at; every other route names the global.
            expectRefused(url, mentioning: route == .inst ? ["INST/OBJ", "refused"] : ["'\(module).\(name)'", "refus"])
        }
    }

    /// `{"w": _rebuild_tensor_v2(storage(key, numel), 0, (n,), (1,), False, ())}` with the record `data/0`.
    static func stateDict(storageKey: String, elements: Int, shape: Int) -> PickleBytes {
        var p = PickleBytes()
        func global(_ m: String, _ n: String) { p.bytes += [0x63] + Array("\(m)\n\(n)\n".utf8) }
        func int(_ v: Int) { p.bytes += [0x4A] + withUnsafeBytes(of: Int32(v).littleEndian, Array.init) }
        p.emptyDict()
        p.string("w")
        global("torch._utils", "_rebuild_tensor_v2")
        p.op(0x28)
        p.op(0x28)
        p.string("storage")
        global("torch", "FloatStorage")
        p.string(storageKey)
        p.string("cpu")
        int(elements)
        p.op(0x74)  // TUPLE
        p.op(0x51)  // BINPERSID
        int(0)
        int(shape)
        p.op(0x85)
        int(1)
        p.op(0x85)
        p.op(0x89)
        p.op(0x29)
        p.op(0x74)
        p.op(0x52)
        p.op(0x73)
        p.stop()
        return p
    }

    @Test func storagesAbsentOrShorterThanClaimedAreRefused() throws {
        let record = [UInt8](repeating: 0, count: 16)
        let valid = try Self.zip([("archive/data.pkl", Self.stateDict(storageKey: "0", elements: 4, shape: 4).bytes), ("archive/data/0", record)])
        defer { try? FileManager.default.removeItem(at: valid) }
        #expect(try TorchCheckpoint(contentsOf: valid).tensorNames == ["w"])
        let absent = try Self.zip([("archive/data.pkl", Self.stateDict(storageKey: "7", elements: 4, shape: 4).bytes), ("archive/data/0", record)])
        defer { try? FileManager.default.removeItem(at: absent) }
        expectRefused(absent, mentioning: ["storage record 'archive/data/7' is missing"])
        let huge = try Self.zip([("archive/data.pkl", Self.stateDict(storageKey: "0", elements: Int(Int32.max), shape: 4).bytes), ("archive/data/0", record)])
        defer { try? FileManager.default.removeItem(at: huge) }
        expectRefused(huge, mentioning: ["claims 2147483647", "only 16 bytes"])
        let escaping = try Self.zip([("archive/data.pkl", Self.stateDict(storageKey: "../../etc/passwd", elements: 4, shape: 4).bytes), ("archive/data/0", record)])
        defer { try? FileManager.default.removeItem(at: escaping) }
        expectRefused(escaping, mentioning: ["is missing"])
    }

    @Test func hugeDeclaredLengthsAreRefused() throws {
        // BINBYTES8 / BINUNICODE8 claiming 2^62 bytes, LONG4 claiming 2^31 - 1.
        for opcode: UInt8 in [0x8E, 0x8D] {
            var p = PickleBytes()
            p.bytes += [opcode] + withUnsafeBytes(of: (UInt64(1) << 62).littleEndian, Array.init)
            p.stop()
            let url = try Self.zip([("archive/data.pkl", p.bytes)])
            defer { try? FileManager.default.removeItem(at: url) }
            expectRefused(url, mentioning: ["\(UInt64(1) << 62)-byte item"])
        }
        var long = PickleBytes()
        long.bytes += [0x8B, 0xFF, 0xFF, 0xFF, 0x7F]
        long.stop()
        let url = try Self.zip([("archive/data.pkl", long.bytes)])
        defer { try? FileManager.default.removeItem(at: url) }
        expectRefused(url, mentioning: ["2147483647-byte item"])
    }

    @Test func zipMembersThatEscapeOrRepeatAreRefused() throws {
        let pickle: [UInt8] = [0x80, 0x02, 0x7D, 0x2E]
        for name in ["../evil", "archive/../../evil", "/etc/evil", "archive\\..\\evil", "C:/evil"] {
            let url = try Self.zip([("archive/data.pkl", pickle), (name, [1, 2, 3])])
            defer { try? FileManager.default.removeItem(at: url) }
            expectRefused(url, mentioning: ["unsafe"])
        }
        let twice = try Self.zip([("archive/data.pkl", pickle), ("archive/data/0", [1]), ("archive/data/0", [2])])
        defer { try? FileManager.default.removeItem(at: twice) }
        expectRefused(twice, mentioning: ["'archive/data/0' appears twice"])
    }

    /// Central-directory sizes rewritten to claim a terabyte (through ZIP64) are checked against the file.
    @Test func membersDeclaringTerabytesAreRefused() throws {
        let url = try Self.zip([("archive/data.pkl", [0x80, 0x02, 0x7D, 0x2E])])
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = [UInt8](try Data(contentsOf: url))
        var patched = false
        for i in 0..<(bytes.count - 46) where bytes[i..<(i + 4)].elementsEqual([0x50, 0x4B, 0x01, 0x02]) {
            for k in 20..<24 { bytes[i + k] = 0xFF }  // compressed size: see ZIP64
            for k in 24..<28 { bytes[i + k] = 0xFF }  // size: see ZIP64
            patched = true
        }
        #expect(patched)
        try Data(bytes).write(to: url)
        // The sizes now come from a ZIP64 field the record lacks, or from values no file holds.
        expectRefused(url, mentioning: ["zip entry"])
    }
}
