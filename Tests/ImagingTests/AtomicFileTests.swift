import Foundation
import Imaging
import Testing

/// Files written whole or not at all, and the partials of killed writers cleaned by the next writer.
@Suite struct AtomicFileTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func aWriteReplacesTheFileAndLeavesNothingBeside() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("classes.json")
        try AtomicFile.write(Data("one".utf8), to: target)
        try AtomicFile.write(Data("two".utf8), to: target)
        #expect(try Data(contentsOf: target) == Data("two".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["classes.json"])
    }

    @Test func partialsOfDeadWritersGoAndThoseOfLiveOnesStay() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("1.jpg")
        // 99,999,999 is above Linux's largest process id, so no process has it.
        let dead = AtomicFile.partialURL(for: target, pid: 99_999_999)
        let live = AtomicFile.partialURL(for: target, pid: 1)
        let other = AtomicFile.partialURL(for: dir.appendingPathComponent("2.jpg"), pid: 99_999_999)
        for url in [dead, live, other] { try Data("x".utf8).write(to: url) }
        try AtomicFile.write(Data("picture".utf8), to: target)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(left == ["1.jpg", live.lastPathComponent, other.lastPathComponent])
    }

    @Test func aFailedWriteLeavesTheOldFileAndNoPartial() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("child"), withIntermediateDirectories: true)
        // A non-empty folder cannot be renamed over: the write fails, the folder stays, no partial is left.
        #expect(throws: (any Error).self) { try AtomicFile.write(Data("x".utf8), to: target) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["sub"])
    }
}
