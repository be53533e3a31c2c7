#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif
import Foundation

/// Files written whole or not at all: the bytes go to `.NAME.partial-PID` beside the target, which is then
/// renamed over it. Unlike Foundation's `.atomic` option (a random `.dat.nosync…` name), the partial's name says
/// which file and which process it belongs to, so the next writer of the same file removes what a killed writer
/// left (its process no longer running), and a rerun after a crash or a SIGKILL leaves no stray files.
public enum AtomicFile {
    /// The partial file of `url` for the process `pid`.
    public static func partialURL(for url: URL, pid: Int32 = getpid()) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(pid)")
    }

    /// Writes `data` to `url` through its partial file, after removing partials of `url` that killed writers left.
    public static func write(_ data: Data, to url: URL) throws {
        removeStalePartials(of: url)
        let partial = partialURL(for: url)
        do {
            try data.write(to: partial)
            guard rename(partial.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    /// Removes `.NAME.partial-PID` files of `url` whose process is no longer running; those of running writers
    /// are left alone.
    public static func removeStalePartials(of url: URL) {
        let folder = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent).partial-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }
}
