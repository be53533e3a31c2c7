import Foundation

extension PickleValue {
    /// Decodes a plain pickle (not a torch zip archive) with the restricted reader: containers, scalars and numpy
    /// arrays and scalars as data (``NumPyArray``); any other global is refused and nothing is executed.
    /// - Parameter source: names the file in errors.
    /// - Throws: ``WeightsError/malformed(source:reason:)``.
    public static func decode(_ bytes: [UInt8], source: String) throws -> PickleValue {
        var reader = PickleReader(bytes: bytes, source: source)
        return try reader.read()
    }
}
