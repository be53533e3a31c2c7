import Foundation

/// A fresh temporary folder removed by ``remove()``.
struct TempFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cache-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A deterministic test vector: `width` values derived from `seed`.
func testVector(_ seed: Int, width: Int = 8) -> [Float] {
    (0..<width).map { Float(sin(Double(seed * 31 + $0))) }
}
