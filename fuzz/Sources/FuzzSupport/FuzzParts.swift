/// One fuzz input holding several files (Visual Genome's three JSON files, Action Genome's two pickles): the files
/// back to back, each ended by ``separator`` (the last one needs none). Missing parts are empty.
public enum FuzzParts {
    /// The bytes between two parts; also in the targets' dictionaries, so mutations can add or drop a part.
    public static let separator: [UInt8] = Array("\n--8<--\n".utf8)

    /// The first `count` parts of the `size` bytes at `data` (anything after the last separator counted is
    /// part of the last part).
    public static func split(_ data: UnsafePointer<UInt8>, _ size: Int, count: Int) -> [[UInt8]] {
        let bytes = UnsafeBufferPointer(start: data, count: size)
        var parts: [[UInt8]] = []
        var start = 0
        var i = 0
        while parts.count < count - 1, i + separator.count <= bytes.count {
            if bytes[i] == separator[0], bytes[i..<(i + separator.count)].elementsEqual(separator) {
                parts.append(Array(bytes[start..<i]))
                i += separator.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(Array(bytes[start...]))
        while parts.count < count { parts.append([]) }
        return parts
    }
}
