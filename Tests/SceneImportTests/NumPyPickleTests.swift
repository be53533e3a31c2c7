import Foundation
import Testing
import Weights

/// numpy arrays and scalars pickled by real numpy (tools/make_import_fixtures.py) at protocols 2, 4 and 5, read
/// as data by the restricted unpickler and compared with the values numpy wrote beside them.
@Suite struct NumPyPickleTests {
    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/action-genome")

    func flatten(_ value: Any) -> [Double] {
        if let list = value as? [Any] { return list.flatMap(flatten) }
        if let n = value as? NSNumber { return [n.doubleValue] }
        return []
    }

    @Test(arguments: [2, 4, 5]) func arraysMatchNumpy(protocol version: Int) throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("arrays.json"))) as! [String: Any]
        let values = expected["values"] as! [String: Any], shapes = expected["shapes"] as! [String: [Int]]
        let url = Self.folder.appendingPathComponent("arrays_protocol\(version).pkl")
        let root = try PickleValue.decode([UInt8](try Data(contentsOf: url)), source: url.path)
        let d = try #require(root.dictionary)
        for (name, shape) in shapes {
            guard case .array(let array)? = d[name] else {
                Issue.record("\(name) is \(d[name]?.summary ?? "missing"), not an array")
                continue
            }
            #expect(array.shape == shape, "\(name)")
            #expect(array.doubles == flatten(values[name]!), "\(name) at protocol \(version)")
        }
        guard case .float(let f)? = d["scalar_f4"], case .int(let i)? = d["scalar_i8"] else {
            Issue.record("numpy scalars: \(d["scalar_f4"]?.summary ?? "-"), \(d["scalar_i8"]?.summary ?? "-")")
            return
        }
        #expect(f == 2.5 && i == -9)
    }

    @Test func otherGlobalsAreStillRefused() throws {
        // GLOBAL 'os system' then STOP: refused by name, nothing executed.
        let bytes: [UInt8] = Array("cos\nsystem\n.".utf8)
        #expect(throws: WeightsError.self) { _ = try PickleValue.decode(bytes, source: "evil.pkl") }
        // A truncated pickle is an error, not a trap.
        let url = Self.folder.appendingPathComponent("arrays_protocol4.pkl")
        let data = [UInt8](try Data(contentsOf: url))
        for cut in [1, data.count / 3, data.count / 2, data.count - 1] {
            #expect(throws: WeightsError.self) { _ = try PickleValue.decode(Array(data.prefix(cut)), source: "broken.pkl") }
        }
    }
}
