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
