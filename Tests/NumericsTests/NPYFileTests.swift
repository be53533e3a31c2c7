import Foundation
import Testing

@testable import Numerics

@Suite struct NPYFileTests {
    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString).npy")
    }

    /// Bytes laid out as `numpy.save` writes them (version 1, header padded to 64 bytes).
    static func numpyBytes(descr: String, shape: String, payload: [UInt8], fortran: String = "False") -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0])
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: payload)
        return data
    }

    /// numpy 2.4: `np.array([[0.1, -2.5, 65504.0], [1e-5, 3.14159, -0.0]], dtype=np.float16)`; its bits are
    /// `a.view(np.uint16)` and its float32 values `a.astype(np.float32)`, both printed by numpy.
    static let numpyHalfBits: [UInt16] = [11878, 49408, 31743, 168, 16968, 32768]
    static let numpyHalfValues: [Float] = [0.0999755859375, -2.5, 65504.0, 1.0013580322265625e-05, 3.140625, -0.0]

    @Test func readsAndWritesFloat16AsNumpyDoes() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.numpyBytes(descr: "<f2", shape: "(2, 3)", payload: Self.numpyHalfBits.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) })
            .write(to: url)
        let read = try NPYFile.read(url)
        #expect(read.shape == [2, 3] && read.scalars.map(\.bitPattern) == Self.numpyHalfValues.map(\.bitPattern))
        // Writing float16 rounds as numpy's astype does.
        try NPYFile.write(Tensor(shape: [2, 3], values: [0.1, -2.5, 65504.0, 1e-5, 3.14159, -0.0]), to: url, half: true)
        let bytes = try Data(contentsOf: url)
        let header = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect(String(decoding: bytes[10..<(10 + header)], as: UTF8.self).contains("'descr': '<f2'"))
        let payload = bytes[(10 + header)...]
        #expect(payload.count == 12)
        let bits = stride(from: 0, to: 12, by: 2).map { UInt16(payload[payload.startIndex + $0]) | UInt16(payload[payload.startIndex + $0 + 1]) << 8 }
        #expect(bits == Self.numpyHalfBits)
    }

    @Test func readsNumpyFloat32AndFloat64() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let floats: [Float] = [0, 1, 2, 3, 4, 5]
        try Self.numpyBytes(descr: "<f4", shape: "(3, 2)", payload: floats.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
            .write(to: url)
        let t = try NPYFile.read(url)
        #expect(t.shape == [3, 2] && t.scalars == floats)
        let doubles: [Double] = [0.5, -1, 3]
        try Self.numpyBytes(descr: "<f8", shape: "(3,)", payload: doubles.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
            .write(to: url)
        let d = try NPYFile.read(url)
        #expect(d.shape == [3] && d.scalars == [0.5, -1, 3])
    }

    @Test func writeThenReadRoundTrips() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let t = Tensor.randomNormal(shape: [3, 4, 5], seed: 9)
        try NPYFile.write(t, to: url)
        let back = try NPYFile.read(url)
        #expect(back.shape == t.shape && back.scalars == t.scalars)
    }

    @Test func rejectsWhatItCannotRead() throws {
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        func reason(_ data: Data) throws -> String {
            try data.write(to: url)
            do {
                _ = try NPYFile.read(url)
                return "accepted"
            } catch let NumericsError.invalidNPY(_, reason) {
                return reason
            }
        }
        #expect(try reason(Data("hello world".utf8)) == "missing the \\x93NUMPY magic")
        #expect(try reason(Self.numpyBytes(descr: "<i8", shape: "(1,)", payload: Array(repeating: 0, count: 8))).contains("'<i8'"))
        #expect(try reason(Self.numpyBytes(descr: "<f4", shape: "(2,)", payload: [0, 0, 0, 0])).contains("do not hold shape [2]"))
        #expect(try reason(Self.numpyBytes(descr: "<f4", shape: "(1,)", payload: [0, 0, 0, 0], fortran: "True")).contains("Fortran"))
        #expect(throws: NumericsError.self) { try NPYFile.read(URL(fileURLWithPath: "/nonexistent/x.npy")) }
    }
}
