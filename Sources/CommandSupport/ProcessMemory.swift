import Foundation

/// Memory figures of this process from Linux's `/proc/self` files, for the benchmarks.
public enum ProcessMemory {
    /// The `name:` line of `file` (a `/proc/self` file listing `name:   N kB` lines) in bytes; `nil` where the file
    /// or the line does not exist.
    public static func kilobyteField(_ name: String, in file: String = "/proc/self/status") -> Int? {
        // One read covers these files: `status` and `smaps_rollup` are well under a page.
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
        else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
    }

    /// `VmRSS`: resident memory now.
    public static var residentBytes: Int? { kilobyteField("VmRSS") }
    /// `VmHWM`: the peak of resident memory.
    public static var peakResidentBytes: Int? { kilobyteField("VmHWM") }
    /// `AnonHugePages` of `smaps_rollup`: anonymous memory on transparent huge pages.
    public static var anonymousHugePageBytes: Int? { kilobyteField("AnonHugePages", in: "/proc/self/smaps_rollup") }

    /// Resets `VmHWM` to the current resident size (writing `5` to `/proc/self/clear_refs`), so the next
    /// ``peakResidentBytes`` is the peak of the work in between; `false` where the kernel refuses.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }
}
