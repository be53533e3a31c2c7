import Foundation

/// A file (or folder of files) the fuzz input is written to, for readers that take a path. Lives in /dev/shm
/// when there is one, named after the process, and is reused for every input.
public enum ScratchFile {
    public static let folder: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base).appendingPathComponent("scenarioclip-fuzz-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: ScratchFile.folder) }
        return url
    }()

    /// Writes `size` bytes at `data` to `name` in the scratch folder and returns its URL.
    public static func write(_ data: UnsafePointer<UInt8>, _ size: Int, as name: String) -> URL {
        let url = folder.appendingPathComponent(name)
        try! Data(bytes: data, count: size).write(to: url)
        return url
    }

    /// Writes `bytes` to `name` in the scratch folder and returns its URL.
    public static func write(_ bytes: [UInt8], as name: String) -> URL {
        let url = folder.appendingPathComponent(name)
        try! Data(bytes).write(to: url)
        return url
    }

    /// Writes `contents` to `name` in the scratch folder.
    public static func write(_ contents: String, as name: String) -> URL {
        let url = folder.appendingPathComponent(name)
        try! Data(contents.utf8).write(to: url)
        return url
    }
}
