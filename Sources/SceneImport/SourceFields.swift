import Foundation
import Imaging

/// Checked reading of fields from parsed JSON (`JSONSerialization` values): every failure names the file, the
/// record and the field.
struct SourceFields {
    let file: String
    let record: String

    func fail(_ field: String, _ detail: String) -> SceneImportError {
        .badField(file: file, record: record, field: field, detail: detail)
    }

    static func kind(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "null"
        case let n as NSNumber: return String(cString: n.objCType) == "c" ? "a boolean" : "a number"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "\(type(of: value!))"
        }
    }

    static func number(_ value: Any?) -> Double? {
        guard let n = value as? NSNumber, String(cString: n.objCType) != "c" else { return nil }
        return n.doubleValue
    }

    func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let s = object[key] as? String else { throw fail(key, "expected a string, found \(Self.kind(object[key]))") }
        return s
    }

    func array(_ object: [String: Any], _ key: String) throws -> [Any] {
        guard let a = object[key] as? [Any] else { throw fail(key, "expected an array, found \(Self.kind(object[key]))") }
        return a
    }

    func objectValue(_ value: Any?, _ field: String) throws -> [String: Any] {
        guard let o = value as? [String: Any] else { throw fail(field, "expected an object, found \(Self.kind(value))") }
        return o
    }

    /// An integer (a number without fraction that fits an `Int`).
    func integer(_ value: Any?, _ field: String) throws -> Int {
        guard let d = Self.number(value) else { throw fail(field, "expected an integer, found \(Self.kind(value))") }
        guard d.rounded() == d, abs(d) < 9.0e15 else { throw fail(field, "expected an integer, found \(d)") }
        return Int(d)
    }

    /// An identifier: an integer or a string, as text.
    func identifier(_ value: Any?, _ field: String) throws -> String {
        if let s = value as? String, !s.isEmpty { return s }
        if Self.number(value) != nil { return String(try integer(value, field)) }
        throw fail(field, "expected an integer or a string id, found \(Self.kind(value))")
    }

    /// A coordinate truncated toward zero like Python's `int()`, checked finite and within ±2^31.
    func coordinate(_ value: Double, _ field: String) throws -> Int {
        guard value.isFinite, abs(value) < 2_147_483_648 else { throw fail(field, "coordinate \(value) is not a finite pixel position") }
        return Int(value.rounded(.towardZero))
    }

    /// Four numbers.
    func four(_ value: Any?, _ field: String) throws -> [Double] {
        guard let list = value as? [Any], list.count == 4 else {
            throw fail(field, "expected 4 numbers, found \(Self.kind(value))\((value as? [Any]).map { " of \($0.count)" } ?? "")")
        }
        return try list.map { v in
            guard let d = Self.number(v) else { throw fail(field, "expected 4 numbers, found \(Self.kind(v)) among them") }
            return d
        }
    }

    /// A box from `x, y, w, h` (COCO, Visual Genome, Action Genome objects): `[int(x), int(y), int(x+w), int(y+h)]`.
    func boxXYWH(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ field: String) throws -> PixelBox {
        guard w >= 0, h >= 0 else { throw fail(field, "negative width or height (\(w) x \(h))") }
        return PixelBox(x1: try coordinate(x, field), y1: try coordinate(y, field),
                        x2: try coordinate(x + w, field), y2: try coordinate(y + h, field))
    }

    /// A box from `[x1, y1, x2, y2]` (OpenPSG, Action Genome's person boxes), truncated toward zero.
    func boxXYXY(_ v: [Double], _ field: String) throws -> PixelBox {
        guard v[2] >= v[0], v[3] >= v[1] else { throw fail(field, "x2 < x1 or y2 < y1 in \(v)") }
        return PixelBox(x1: try coordinate(v[0], field), y1: try coordinate(v[1], field),
                        x2: try coordinate(v[2], field), y2: try coordinate(v[3], field))
    }
}

/// Reading a whole (moderate) JSON source file with Foundation's parser.
enum SourceJSON {
    static func read(_ url: URL) throws -> Any {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SceneImportError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        do { return try JSONSerialization.jsonObject(with: data) } catch {
            throw SceneImportError.malformed(file: url.path, detail: "not JSON: \((error as NSError).localizedDescription)")
        }
    }

    static func topObject(_ url: URL) throws -> [String: Any] {
        let value = try read(url)
        guard let object = value as? [String: Any] else {
            throw SceneImportError.malformed(file: url.path, detail: "expected a JSON object at the top, found \(SourceFields.kind(value))")
        }
        return object
    }
}
