import FuzzSupport
import Weights

/// The checkpoints' zip reader on its own (end record, ZIP64 locator and record, central directory, extra
/// fields, local headers, names), without the pickle behind it; every directory it accepts must keep its promise:
/// each member inside the file, names unique and safe.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let url = ScratchFile.write(data, size, as: "fuzz.zip")
    guard let directory = try? ZipCentralDirectory(contentsOf: url) else { return 0 }
    var names = Set<String>()
    for entry in directory.entries {
        precondition(entry.dataOffset >= 0 && entry.size >= 0 && entry.dataOffset <= size - entry.size,
                     "entry '\(entry.name)' (\(entry.size) bytes at \(entry.dataOffset)) leaves the \(size)-byte file")
        precondition(names.insert(entry.name).inserted, "entry '\(entry.name)' is listed twice")
        precondition(!entry.name.hasPrefix("/") && !entry.name.split(separator: "/").contains(".."),
                     "entry name '\(entry.name)' escapes the archive")
    }
    return 0
}
