import Foundation
import Imaging
import Testing

/// Only regular files of bounded size are read as pictures; the check is made before any byte is read.
@Suite struct PictureFileTests {
    private func expectRefused(_ path: String, saying fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = URL(fileURLWithPath: path)
        let attempts = [
            { _ = try Picture.decode(contentsOf: url) }, { _ = try Picture.readSize(contentsOf: url) },
            { _ = try JPEG.decode(contentsOf: url) }, { _ = try JPEG.readSize(contentsOf: url) },
        ]
        for attempt in attempts {
            #expect(sourceLocation: sourceLocation) { try attempt() } throws: {
                "\($0)".contains(path) && "\($0)".contains(fragment)
            }
        }
    }

    @Test func devicesPipesAndFoldersAreRefused() throws {
        expectRefused("/dev/zero", saying: "it is a character device, not a regular file")
        expectRefused("/dev/urandom", saying: "it is a character device, not a regular file")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("picture-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        expectRefused(folder.path, saying: "it is a directory")
        let fifo = folder.appendingPathComponent("pipe.jpg")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        expectRefused(fifo.path, saying: "it is a named pipe (FIFO), not a regular file")
        expectRefused(folder.appendingPathComponent("absent.jpg").path, saying: "No such file or directory")
    }

    @Test func filesOverTheSizeLimitAreRefusedUnread() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString).jpg")
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data([0xFF, 0xD8])))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(truncate(url.path, off_t(PictureFile.maxBytes + 1)) == 0)  // sparse: nothing is written
        expectRefused(url.path, saying: "over the 256 MiB limit")
    }
}
