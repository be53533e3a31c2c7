import Foundation

/// NumPy `.npy` files (format versions 1–3): little-endian `float16` / `float32` / `float64` arrays in C order.
public enum NPYFile {
    /// Reads the array at `url` as a `Float32` tensor of the stored shape (`float16` is widened exactly, `float64`
    /// narrowed).
    /// - Throws: ``NumericsError`` for an unreadable file, a bad magic or header, an unsupported dtype,
    ///   Fortran order, or a data length that does not match the shape.
    public static func read(_ url: URL) throws -> Tensor {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw NumericsError.io(path: path, reason: "cannot read (\(error.localizedDescription))")
        }
        func bad(_ reason: String) -> NumericsError { .invalidNPY(path: path, reason: reason) }
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw bad("missing the \\x93NUMPY magic")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw bad("file ends inside the header length") }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        default:
            throw bad("format version \(major) is not 1, 2 or 3")
        }
        guard headerStart + headerLength <= data.count else { throw bad("header runs past the end of the file") }
        let header = String(decoding: data[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header).flatMap({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) })
        else { throw bad("header has no 'descr'") }
        guard let fortran = field("fortran_order", in: header) else { throw bad("header has no 'fortran_order'") }
        guard fortran == "False" else { throw bad("Fortran-ordered arrays are not supported") }
        guard let shapeText = field("shape", in: header) else { throw bad("header has no 'shape'") }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let shape = dims.compactMap { Int($0) }
        guard shape.count == dims.count, shape.allSatisfy({ $0 >= 0 }) else { throw bad("shape \(shapeText) is not a tuple of sizes") }
        let count = shape.reduce(1, *)
        let elementSize: Int
        switch descr {
        case "<f2", "=f2": elementSize = 2
        case "<f4", "=f4": elementSize = 4
        case "<f8", "=f8": elementSize = 8
        default: throw bad("dtype '\(descr)' is not little-endian float16, float32 or float64")
        }
        let dataStart = headerStart + headerLength
        guard data.count - dataStart == count * elementSize else {
            throw bad("\(data.count - dataStart) data bytes do not hold shape \(shape) of '\(descr)'")
        }
        return data.withUnsafeBytes { raw in
            Tensor(shape: shape) { out in
                if elementSize == 2, count > 0 {
                    HalfFloatConversion.widen(littleEndian: raw.baseAddress! + dataStart, count: count, bfloat: false, into: out.baseAddress!)
                } else if elementSize == 4 {
                    for i in 0..<count {
                        out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 4 * i, as: UInt32.self)))
                    }
                } else {
                    for i in 0..<count {
                        out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 8 * i, as: UInt64.self))))
                    }
                }
            }
        }
    }

    /// Writes `tensor` as a version-1 little-endian `float32` `.npy` file, or `float16` (rounded to nearest,
    /// ties to even) when `half` is set.
    /// - Throws: ``NumericsError/io(path:reason:)`` when the file cannot be written.
    public static func write(_ tensor: Tensor, to url: URL, half: Bool = false) throws {
        let shapeText = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(half ? "<f2" : "<f4")', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        tensor.withUnsafeBufferPointer { values in
            data.reserveCapacity(data.count + values.count * (half ? 2 : 4))
            if half {
                data.append(contentsOf: HalfFloatConversion.narrow(littleEndian: values, bfloat: false))
            } else {
                #if _endian(little)
                data.append(contentsOf: UnsafeRawBufferPointer(values))  // the values' bytes are the file's
                #else
                for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                #endif
            }
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw NumericsError.io(path: url.path, reason: "cannot write (\(error.localizedDescription))")
        }
    }

    /// The raw text of `'key': value` in a NumPy header dict (a tuple value is returned with its parentheses).
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
        return String(rest[..<end]).trimmingCharacters(in: .whitespaces)
    }
}
