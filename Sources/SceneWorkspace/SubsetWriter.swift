import Foundation
import Scenes

/// Writes a chosen list of records as a new reference-format dataset folder, safely: an `OUT` that exists and is
/// not empty is refused unless `force`, and the dataset is written into a temporary folder beside `OUT` that is
/// renamed into place only when complete (Ctrl-C leaves `OUT` as it was).
public enum SubsetWriter {
    /// Throws ``SceneWorkspaceError/outputNotEmpty(_:)`` when `out` exists, is not empty and `force` is off.
    public static func checkOutput(_ out: URL, force: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: out.path, isDirectory: &isDirectory) else { return }
        let empty = isDirectory.boolValue && ((try? fm.contentsOfDirectory(atPath: out.path))?.isEmpty ?? false)
        if !empty && !force { throw SceneWorkspaceError.outputNotEmpty(out.path) }
    }

    /// Reports how many of `total` records are written so far (called now and then, and once at the end).
    public typealias Progress = (_ done: Int, _ total: Int) -> Void

    /// Writes `records` to `out` through ``ReferenceDatasetWriter``. Pictures and focused regions keep absolute
    /// paths to the source files, or with `copyPictures` are copied into `OUT/images` and `OUT/regions` (under
    /// their own file names, `2-name.jpg`, `3-name.jpg`, … when two sources share a name; a file several records
    /// use is copied once) and the records point at the copies by relative path.
    public static func write(_ records: [SceneRecord], to out: URL, force: Bool, copyPictures: Bool = false,
                             progress: Progress? = nil) throws -> ReferenceDatasetWriter.Summary {
        try checkOutput(out, force: force)
        let fm = FileManager.default
        let target = out.standardizedFileURL
        let staging = stagingURL(for: target)
        try? fm.removeItem(at: staging)
        var writer = try ReferenceDatasetWriter(directory: staging)
        let summary: ReferenceDatasetWriter.Summary
        do {
            var copier = PictureCopier(root: staging)
            for (done, record) in records.enumerated() {
                var record = record
                if copyPictures {
                    record.imageFile = try copier.copy(record.imageFile, into: "images", for: record.id)
                    for index in record.relations.indices {
                        guard let region = record.relations[index].regionFile else { continue }
                        record.relations[index].regionFile = try copier.copy(region, into: "regions", for: record.id)
                    }
                }
                try writer.append(record)
                if done % 256 == 255 { progress?(done + 1, records.count) }
            }
            summary = try writer.finish()
            progress?(records.count, records.count)
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.moveItem(at: staging, to: target)
        } catch {
            writer.abandon()
            try? fm.removeItem(at: staging)
            if let error = error as? ScenesError { throw error }
            if let error = error as? SceneWorkspaceError { throw error }
            throw SceneWorkspaceError.cannotWrite(path: target.path, reason: (error as NSError).localizedDescription)
        }
        return summary
    }

    /// Writes one picture path a line (``SceneRecord/imageFile``) to the file `out`, through a temporary file
    /// beside it renamed into place.
    public static func writePaths(_ records: [SceneRecord], to out: URL, force: Bool) throws {
        try checkOutput(out, force: force)
        try writeFile(Data(records.map { $0.imageFile + "\n" }.joined().utf8), to: out)
    }

    /// The temporary name a finished export is renamed from: `.NAME.partial-PID` beside `target`.
    static func stagingURL(for target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
    }

    /// Writes `data` to a temporary file beside `out` and renames it to `out` (replacing what is there).
    static func writeFile(_ data: Data, to out: URL) throws {
        let fm = FileManager.default
        let target = out.standardizedFileURL
        let staging = stagingURL(for: target)
        do {
            try data.write(to: staging)
            if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
            try fm.moveItem(at: staging, to: target)
        } catch {
            try? fm.removeItem(at: staging)
            throw SceneWorkspaceError.cannotWrite(path: target.path, reason: (error as NSError).localizedDescription)
        }
    }
}

/// Copies source pictures into a folder of an export under unique names, each source once.
struct PictureCopier {
    let root: URL
    /// Source path → path of its copy.
    private var copies: [String: String] = [:]
    /// Relative names taken so far (`images/000001.jpg`).
    private var taken = Set<String>()

    init(root: URL) { self.root = root }

    /// The absolute path of the copy of `source` in `root/folder`, copying it on first use.
    /// - Throws: ``SceneWorkspaceError/cannotWrite(path:reason:)`` naming the scene and the file.
    mutating func copy(_ source: String, into folder: String, for sceneID: String) throws -> String {
        if let done = copies[source] { return done }
        let name = (source as NSString).lastPathComponent
        var relative = "\(folder)/\(name)"
        var n = 2
        while taken.contains(relative) {
            relative = "\(folder)/\(n)-\(name)"
            n += 1
        }
        let destination = root.appendingPathComponent(relative)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: URL(fileURLWithPath: source), to: destination)
        } catch {
            throw SceneWorkspaceError.cannotWrite(
                path: destination.path, reason: "copying \(source) of scene \(sceneID): \((error as NSError).localizedDescription)")
        }
        taken.insert(relative)
        copies[source] = destination.path
        return destination.path
    }
}
